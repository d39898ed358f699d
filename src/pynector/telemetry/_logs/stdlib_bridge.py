"""structlog events into standard library ``logging``, and records back into event dicts.

The pieces of the pipeline in :mod:`.structlog_pipeline` that need
structlog itself (imported here, at the top, so this module loads only
when structlog is installed and being configured).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

from .._attributes import safe_repr
from .._otlp_values import clean_int
from .._warnings import warn_once
from .record_fields import LoggedEvent, record_fields

__all__ = [
    "SafeProcessorFormatter",
    "add_logger_name",
    "add_record_fields",
    "to_stdlib",
]


def add_logger_name(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """``logger`` = the stdlib logger's name, unless the event already names one.

    The facade binds its own name, and a caller may pass ``logger=`` as a
    field; both are kept (structlog's ``add_logger_name`` would overwrite).
    """
    if "logger" not in event_dict:
        record = event_dict.get("_record")
        name = record.name if record is not None else getattr(logger, "name", None)
        if name is not None:
            event_dict["logger"] = name
    return event_dict


def add_record_fields(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A foreign record's ``extra=`` fields (and a facade record's fields) as event fields."""
    record = event_dict.get("_record")
    if record is not None:
        for key, value in record_fields(record).items():
            event_dict.setdefault(key, value)
    return event_dict


def to_stdlib(logger: Any, method_name: str, event_dict: dict[str, Any]) -> Any:
    """The last structlog processor: hand the event to the stdlib logger, as structlog's
    ``ProcessorFormatter.wrap_for_formatter`` does, as a :class:`LoggedEvent`.

    An exception to log becomes the record's ``exc_info`` too, so that the
    application's own formatters print the traceback.
    """
    exc_info = event_dict.get("exc_info")
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and exc_info[0] is not None:
        event_dict["exc_info"] = exc_info
    else:
        event_dict.pop("exc_info", None)
        exc_info = None
    args, wrapped = structlog.stdlib.ProcessorFormatter.wrap_for_formatter(
        logger, method_name, event_dict
    )
    kwargs: dict[str, Any] = dict(wrapped)
    if exc_info is not None:
        kwargs["exc_info"] = exc_info
    return (LoggedEvent(args[0]),), kwargs


def _renderable(value: object) -> object:
    """*value* if every renderer can write it, else its text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return clean_int(value, None)  # 10**5000 has no decimal text: str() raises
    if isinstance(value, (str, float, bool, type(None))):
        return value
    return safe_repr(value)


def _safe_copy(record: logging.LogRecord) -> logging.LogRecord:
    """*record* with every value that may fail to render turned into text."""
    copy = logging.makeLogRecord(vars(record))
    if isinstance(record.msg, dict):
        copy.msg = LoggedEvent({key: _renderable(value) for key, value in record.msg.items()})
        if "exc_info" in record.msg:
            copy.msg["exc_info"] = record.msg["exc_info"]
    else:
        try:
            copy.msg = record.getMessage()
        except Exception:
            copy.msg = safe_repr(record.msg)
        copy.args = ()
    for key, value in record_fields(record).items():
        setattr(copy, key, safe_repr(value))
    return copy


class SafeProcessorFormatter(structlog.stdlib.ProcessorFormatter):
    """structlog's formatter that never loses a record to a field it cannot render.

    A field whose ``repr`` raises, say, would make ``logging`` print a
    "Logging error" traceback and drop the line; here the record is written
    again with such values as text, and one warning says so.
    """

    def format(self, record: logging.LogRecord) -> str:
        try:
            return str(super().format(record))
        except Exception as error:
            warn_once(
                "log-failed",
                f"A log event could not be written as given ({error!r}); "
                "its fields were converted to strings. "
                "This warning is shown once per process.",
            )
            return str(super().format(_safe_copy(record)))
