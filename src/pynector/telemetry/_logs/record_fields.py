"""The structured fields a standard library log record carries.

A record's fields are what its maker attached beyond the message: the
facade's fields (``record.event_fields``, on the stdlib route, where
``record.event`` is the event itself) and anything passed as ``extra=``.
The attributes every record has, private ones (``_logger``...) and the
``otel*`` trace attributes of :mod:`.correlation` (they travel as the
record's trace context, not as fields) are left out.

>>> import logging
>>> record = logging.makeLogRecord({"msg": "paid", "order": 7, "_private": 1})
>>> record_fields(record)
{'order': 7}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .correlation import FIELD_NAMES

__all__ = ["record_fields"]

# Attributes of every record (and the two Formatter.format adds).
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_LEFT_OUT = _STANDARD | frozenset(FIELD_NAMES) | {"event_fields", "event"}


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """*record*'s structured fields (see the module docstring); a new dict."""
    attributes = vars(record)
    fields = {
        key: value
        for key, value in attributes.items()
        if key not in _LEFT_OUT and not key.startswith("_")
    }
    event_fields = attributes.get("event_fields")
    if isinstance(event_fields, Mapping):
        fields.update(event_fields)
    return fields
