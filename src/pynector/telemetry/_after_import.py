"""Run a function right after a module is imported, by whoever imports it.

The meter facades must learn when OpenTelemetry's metrics API arrives,
without importing it themselves (a library's ``get_meter`` at import time
must stay free): the application may import it at any later moment, set its
own meter provider, and expect the instruments made earlier to report.
:func:`call_after_import` puts a finder first on :data:`sys.meta_path`
that, for one module name only, wraps the real loader so that *callback*
runs once the module has executed.  Every other import passes through
with one string comparison, and the finder removes itself when it fires.

The wrapped loader puts the real one back on the module before executing
it, so the imported module is indistinguishable from a normal import.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # a hot-path helper: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType
    from typing import Any

__all__ = ["call_after_import"]


class _ChainedLoader:
    """The real loader, plus a callback once the module has executed."""

    def __init__(self, loader: Any, callback: Callable[[ModuleType], None]) -> None:
        self._loader = loader
        self._callback = callback

    def create_module(self, spec: Any) -> ModuleType | None:
        create = getattr(self._loader, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        try:  # noqa: SIM105 - contextlib is not loaded this early; try costs nothing
            self._callback(module)
        except Exception:  # a telemetry hook must never break the application's import
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _AfterImport:
    """A meta path finder that only acts for one module name."""

    def __init__(self, name: str, callback: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.callback = callback

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        try:
            sys.meta_path.remove(self)
        except ValueError:  # another thread got here first
            return None
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec = find_spec(fullname, path, target)
            if spec is not None:
                if hasattr(spec.loader, "exec_module"):
                    spec.loader = _ChainedLoader(spec.loader, self.callback)
                return spec
        return None


def call_after_import(name: str, callback: Callable[[ModuleType], None]) -> None:
    """Call *callback(module)* once *name* has been imported (at once if it already is).

    *name* must be a top-level name or a package's submodule that is imported
    through the import system (not a built-in).  Exceptions from *callback*
    are swallowed: it runs inside someone else's import statement.
    """
    module = sys.modules.get(name)
    if module is None:
        sys.meta_path.insert(0, _AfterImport(name, callback))
        return
    try:  # noqa: SIM105 - as above
        callback(module)
    except Exception:  # as when it runs inside an import: never the caller's problem
        pass
