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

__all__ = ["LoggedEvent", "record_fields", "structlog_event"]

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


class LoggedEvent(dict[str, Any]):
    """A structlog event on its way through ``logging``: a dict that reads as a line.

    ``ProcessorFormatter`` recognises it as structlog's event dictionary; a
    handler of the application with a plain ``logging.Formatter`` gets
    ``event key='value' ...`` from ``record.getMessage()``, like a facade
    event on the stdlib route.  The level, logger name, time, trace ids and
    exception are the record's own attributes there, so they are not
    repeated.  Never raises.
    """

    __slots__ = ()

    _ON_THE_RECORD = frozenset(
        ("event", "level", "logger", "timestamp", "trace_id", "span_id", "exc_info", "stack")
    )

    def __str__(self) -> str:
        parts = [str(self.get("event", ""))]
        parts.extend(
            f"{key}={_shown(value)}"
            for key, value in self.items()
            if key not in self._ON_THE_RECORD
        )
        return " ".join(parts)


def _shown(value: object) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def structlog_event(record: logging.LogRecord) -> dict[str, Any] | None:
    """The structlog event *record* carries, or ``None`` for a message.

    pynector's pipeline sends a :class:`LoggedEvent`; structlog's own
    standard library integration sends the event dict with its logger as
    ``record._logger``.  Any other dict is a message the application
    logged, shown as text like any other.
    """
    message = record.msg
    if isinstance(message, LoggedEvent):  # pynector's pipeline, even before extra= is applied
        return message
    return message if isinstance(message, dict) and hasattr(record, "_logger") else None
