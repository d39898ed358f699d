"""Which optional packages are importable, decided without importing them.

Detection asks the import system's finders for a module *spec*, which
locates a module without executing it, so answering "is OpenTelemetry
installed?" never pays OpenTelemetry's import cost (40-65 ms for
``opentelemetry.trace`` alone).  It does what ``importlib.util.find_spec``
does, without importing ``importlib.util`` (9 ms).  A module blocked in
``sys.modules`` (set to ``None``, as tests do to simulate absence) counts as
missing.

The answers the rest of the package acts on are the ``HAS_*`` flags of
:mod:`pynector.telemetry`, computed there, once, from the module names
below.
"""

from __future__ import annotations

import sys

__all__ = ["ANYIO", "OPENTELEMETRY", "STRUCTLOG", "is_importable"]

#: The module whose presence means "OpenTelemetry's API is installed".
OPENTELEMETRY = "opentelemetry.trace"
#: The module whose presence means "structlog is installed".
STRUCTLOG = "structlog"
#: The module whose presence means "anyio is installed" (task groups on trio).
ANYIO = "anyio"


def is_importable(module: str) -> bool:
    """Return whether *module* could be imported, without importing it.

    Parent packages are imported (``opentelemetry`` is a namespace package,
    so that is cheap); the module itself is not executed.

    >>> is_importable("json")
    True
    >>> is_importable("no_such_package.sub")
    False
    """
    if module in sys.modules:
        return sys.modules[module] is not None
    parent, _, _ = module.rpartition(".")
    path = None
    if parent:
        try:
            path = getattr(__import__(parent, fromlist=["__path__"]), "__path__", None)
        except ImportError:  # the parent is missing or blocked
            return False
        if path is None:  # the parent is a module, not a package
            return False
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            if find_spec(module, path) is not None:
                return True
        except (ImportError, ValueError):
            return False
    return False
