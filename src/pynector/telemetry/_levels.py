"""Log level numbers and names, shared by the facade and the logging pipeline.

The numbers are the standard library's, written out so that the hot path
need not import :mod:`logging` to compare levels.

>>> parse_level("warn"), parse_level(20), parse_level("LOUD")
(30, 20, None)
"""

from __future__ import annotations

__all__ = ["CRITICAL", "DEBUG", "ERROR", "INFO", "METHOD_NAMES", "WARNING", "parse_level"]

DEBUG, INFO, WARNING, ERROR, CRITICAL = 10, 20, 30, 40, 50

#: level number -> the logger method that logs at it (structlog's and stdlib's)
METHOD_NAMES = {
    DEBUG: "debug",
    INFO: "info",
    WARNING: "warning",
    ERROR: "error",
    CRITICAL: "critical",
}

_BY_NAME = {name.upper(): number for number, name in METHOD_NAMES.items()}
_BY_NAME["WARN"] = WARNING


def parse_level(level: object) -> int | None:
    """A level name (any case) or number as a number; ``None`` if it is neither."""
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    if isinstance(level, str):
        return _BY_NAME.get(level.strip().upper())
    return None
