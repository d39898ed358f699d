"""Module attributes that import an optional package on first use.

Several modules refer to names from optional packages (``trace`` from
OpenTelemetry, ``structlog``...).  Importing them eagerly would make
``import pynector.telemetry`` cost what OpenTelemetry and structlog cost
(100+ ms) even in a process that never turns telemetry on.  Instead each
module declares its optional names once::

    _optional = OptionalNames(globals(), {"trace": ("opentelemetry.trace", None)})
    __getattr__ = _optional.module_getattr

Reading ``module.trace`` from outside (as ``unittest.mock.patch`` does)
imports it then; code inside the module calls ``_optional.load()`` before
using the bare name.  The resolved object is stored in the module's
globals, so a patch replaces exactly what the module's code uses, and
removing the patch lets the next read resolve the real object again.

A name may carry a fallback, used when its package is missing, so that the
module keeps the same surface with or without the package.
"""

from __future__ import annotations

import sys

# Not ``typing.TYPE_CHECKING``: importing typing costs ~5 ms, and this module
# is imported by every library that uses pynector.  Type checkers treat any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping
    from typing import Any

__all__ = ["OptionalNames"]

_MISSING = object()


class OptionalNames:
    """Lazily resolved names of one module; see the module docstring."""

    __slots__ = ("_fallbacks", "_namespace", "_sources")

    def __init__(
        self,
        namespace: MutableMapping[str, Any],
        sources: Mapping[str, tuple[str, str | None]],
        fallbacks: Mapping[str, Any] | None = None,
    ) -> None:
        self._namespace = namespace
        self._sources = dict(sources)
        self._fallbacks = dict(fallbacks or {})

    def resolve(self, name: str) -> Any:
        """Return *name*, importing it (or its fallback) and caching it in the module."""
        value = self._namespace.get(name, _MISSING)
        if value is not _MISSING:
            return value
        module_name, attribute = self._sources[name]
        try:
            __import__(module_name)  # importlib.import_module would import importlib
            module = sys.modules[module_name]
            value = module if attribute is None else getattr(module, attribute)
        except ImportError:
            if name not in self._fallbacks:
                raise
            value = self._fallbacks[name]
        self._namespace[name] = value
        return value

    def load(self) -> None:
        """Resolve every declared name (raises ImportError if one has no fallback)."""
        for name in self._sources:
            if name not in self._namespace:
                self.resolve(name)

    def module_getattr(self, name: str) -> Any:
        """A PEP 562 ``__getattr__`` for the module that owns these names."""
        if name not in self._sources:
            module = self._namespace.get("__name__", "module")
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        try:
            return self.resolve(name)
        except ImportError as exc:
            raise AttributeError(
                f"{name!r} needs {self._sources[name][0]!r}, which is not installed"
            ) from exc
