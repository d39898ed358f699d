"""Module attributes that import an optional package on first use.

Several public modules refer to names from optional packages (``trace``
from OpenTelemetry, ``structlog``...).  Importing them eagerly would make
``import pynector.telemetry`` cost what OpenTelemetry and structlog cost
(100+ ms) even in a process that never turns telemetry on.  Instead each
module declares its optional names once::

    _optional = OptionalNames(globals(), {"trace": ("opentelemetry.trace", None)})
    __getattr__ = _optional.module_getattr

Reading ``module.trace`` from outside (as ``unittest.mock.patch`` does)
imports it then; code inside the module calls ``_optional.load()`` before
using the bare name.  The resolved object is stored in the module's
globals, so a patch replaces exactly what the module's code uses.

When the package is missing, the name resolves to an honest stand-in from
:mod:`pynector.telemetry._standins` (a no-op, or an error that names the
extra to install), so every declared name exists in every installation
and the same dotted paths can be patched everywhere.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # a hot-path module: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping
    from typing import Any

__all__ = ["OptionalNames"]

_MISSING = object()


class OptionalNames:
    """Lazily resolved names of one module; see the module docstring."""

    __slots__ = ("_namespace", "_sources")

    def __init__(
        self, namespace: MutableMapping[str, Any], sources: Mapping[str, tuple[str, str | None]]
    ) -> None:
        self._namespace = namespace
        self._sources = dict(sources)

    @property
    def sources(self) -> Mapping[str, tuple[str, str | None]]:
        """name -> (module, attribute or ``None`` for the module itself)."""
        return self._sources

    def resolve(self, name: str) -> Any:
        """Return *name*, importing it (or its stand-in) and caching it in the module."""
        value = self._namespace.get(name, _MISSING)
        if value is not _MISSING:
            return value
        module_name, attribute = self._sources[name]
        try:
            __import__(module_name)  # importlib.import_module would import importlib
            module = sys.modules[module_name]
        except ImportError:
            from ._standins import standin_module

            module = standin_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        self._namespace[name] = value
        return value

    def load(self) -> None:
        """Resolve every declared name."""
        for name in self._sources:
            if name not in self._namespace:
                self.resolve(name)

    def module_getattr(self, name: str) -> Any:
        """A PEP 562 ``__getattr__`` for the module that owns these names."""
        if name not in self._sources:
            module = self._namespace.get("__name__", "module")
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        return self.resolve(name)
