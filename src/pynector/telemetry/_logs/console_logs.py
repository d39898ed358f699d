"""Hand log lines made inside a span to the console tree, so they appear under it.

When the ``console`` exporter is on, :func:`~pynector.telemetry.configure_telemetry`
registers the tree's :meth:`accept_log` as the *console sink*, and
:func:`install_console_record_tap`, a log record factory, feeds it: every
record made inside a span the tree holds, at a level its logger lets
through, is drawn in the tree.  That is every kind of record, since the
one logging pipeline hands structlog's events (the facade's included) to
the standard library too: for those the tree shows the event and its
fields as the pipeline left them (redacted); for other records, the
message and their ``extra=`` fields, redacted the same way.

A drawn record is marked (:data:`DRAWN`) so that pynector's own stderr
handler does not write it a second time as a separate line.  It still goes
to the application's handlers and to the OTLP export as usual: pynector
never takes records away from them.

Outside a span, or with no console tree, the tap changes nothing.  The
sink is a plain callable so that this package need not import the export
pipeline.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ..redaction import active_redactor
from .record_fields import record_fields, structlog_event

__all__ = [
    "DRAWN",
    "ConsoleSink",
    "console_sink",
    "install_console_record_tap",
    "set_console_sink",
]


class ConsoleSink(Protocol):
    """Takes one log line for the tree; ``False`` when no span of the tree is current."""

    def __call__(
        self,
        level: str,
        event: str,
        fields: Mapping[str, Any],
        exception: tuple[str, str, str] | None = None,
        time_ns: int | None = None,
    ) -> bool: ...


_sink: ConsoleSink | None = None

# Keys structlog's pipeline adds that the tree shows in its own columns, or not at all.
_NOT_FIELDS = frozenset(
    {
        "event",
        "level",
        "timestamp",
        "logger",
        "trace_id",
        "span_id",
        "exc_info",
        "stack_info",
        "stack",
    }
)
_MARKER = "_pynector_console_tap"

#: The attribute set on a record the tree drew.
DRAWN = "_pynector_drawn"


def set_console_sink(sink: ConsoleSink | None) -> None:
    """Register the console tree's ``accept_log`` (``None``: no console tree)."""
    global _sink
    _sink = sink


def console_sink() -> ConsoleSink | None:
    """The registered console sink, if a console tree is on."""
    return _sink


def _exception_text(exc_info: Any) -> tuple[str, str, str] | None:
    """``exc_info`` as structlog or logging carry it -> (type, message, traceback)."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or exc_info[1] is None:
        return None
    kind, value, tb = exc_info
    return kind.__qualname__, str(value), "".join(traceback.format_exception(kind, value, tb))


def _level_and_text(record: logging.LogRecord) -> tuple[str, str, dict[str, Any]]:
    """(level, event, fields) of *record* for the tree."""
    event = structlog_event(record)
    if event is not None:
        fields = {key: value for key, value in event.items() if key not in _NOT_FIELDS}
        return record.levelname, str(event.get("event", "")), fields
    fields = record_fields(record)
    redactor = active_redactor()
    if fields and redactor is not None:
        fields = dict(redactor.redact(fields))
    return record.levelname, record.getMessage(), fields


def install_console_record_tap() -> None:
    """Chain a factory that shows stdlib records made inside a span in the tree (once)."""
    if getattr(logging.getLogRecordFactory(), _MARKER, False):
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def console_tapping_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        sink = _sink
        if sink is not None:
            # A log call never fails because of the console.
            with contextlib.suppress(Exception):
                level, event, fields = _level_and_text(record)
                if sink(
                    level,
                    event,
                    fields,
                    _exception_text(record.exc_info),
                    int(record.created * 1_000_000_000),
                ):
                    setattr(record, DRAWN, True)
        return record

    setattr(console_tapping_factory, _MARKER, True)
    logging.setLogRecordFactory(console_tapping_factory)
