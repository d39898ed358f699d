"""Which optional packages are importable, decided without importing them.

Detection asks the import system's finders for a module *spec*, which
locates a module without executing it, so answering "is OpenTelemetry
installed?" never pays OpenTelemetry's import cost (40-65 ms for
``opentelemetry.trace`` alone).  It does what ``importlib.util.find_spec``
does, without importing ``importlib.util`` (9 ms).  A module blocked in
``sys.modules`` (set to ``None``, as tests do to simulate absence) counts as
missing.
"""

from __future__ import annotations

import sys

__all__ = [
    "HAS_ANYIO",
    "HAS_OPENTELEMETRY",
    "HAS_STRUCTLOG",
    "is_importable",
]


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


HAS_OPENTELEMETRY = is_importable("opentelemetry.trace")
HAS_STRUCTLOG = is_importable("structlog")
HAS_ANYIO = is_importable("anyio")
