"""Which optional packages are importable, decided without importing them.

Detection uses :func:`importlib.util.find_spec`, so answering "is
OpenTelemetry installed?" never pays OpenTelemetry's import cost (40-65 ms
for ``opentelemetry.trace`` alone).  A module blocked in ``sys.modules``
(set to ``None``, as tests do to simulate absence) counts as missing.
"""

from __future__ import annotations

import importlib.util

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
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        # ImportError: a parent is missing or blocked in sys.modules.
        # ValueError: the module is in sys.modules with no __spec__.
        return False


HAS_OPENTELEMETRY = is_importable("opentelemetry.trace")
HAS_STRUCTLOG = is_importable("structlog")
HAS_ANYIO = is_importable("anyio")
