"""Read the fields pynector adds to standard library log records."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["field"]


def field(record: logging.LogRecord, name: str) -> Any:
    """*record*'s attribute *name*, one ``LogRecord`` does not declare.

    Correlation (``trace_id``, ``span_id``), ``extra=`` (``event_fields``) and
    record factories set such attributes; the type of ``LogRecord`` cannot
    know them.  Missing means ``KeyError``, as an attribute would fail.
    """
    return vars(record)[name]
