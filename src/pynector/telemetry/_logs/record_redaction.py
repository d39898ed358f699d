"""Redact standard library log records: message, ``%``-arguments, exception text.

After :func:`~pynector.telemetry.configure_telemetry`, every record made by
any logger passes through :func:`redact_record` as it is created (a record
factory, chained in front of the current one, like the trace-id factory),
so whatever handlers the application configured print it redacted:

* ``%``-arguments are redacted one by one (a mapping by key, a string by
  shape); if the formatted message still holds a secret
  (``"password=%s"``), the record keeps the redacted message and drops
  the arguments;
* the exception text and stack info are formatted once and redacted into
  ``record.exc_text`` / ``record.stack_info``, which ``logging.Formatter``
  prints instead of formatting ``exc_info`` again.

A handler that formats ``record.exc_info`` itself, without
``logging.Formatter.format``, bypasses the last point.

:class:`RedactingLogFilter` does the same as a filter, for a handler or a
logger the application sets up itself; pynector puts one on its own
``pynector.telemetry.export`` logger, whose loss reports quote exporter
errors.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..redaction import Redactor, active_redactor, diagnostic_redactor
from .record_fields import structlog_event

__all__ = ["RedactingLogFilter", "install_redacting_record_factory", "redact_record"]

_MARKER = "_pynector_redacts"
_CORRELATION_MARKER = "_pynector_correlates"
_FORMATTER = logging.Formatter()


def _redact_args(args: Any, redactor: Redactor) -> Any:
    if isinstance(args, Mapping):
        return redactor.redact(args)
    if isinstance(args, tuple):
        redacted = tuple(redactor.redact_value(arg) for arg in args)
        if all(new is old for new, old in zip(redacted, args, strict=True)):
            return args
        return redacted
    return redactor.redact_value(args)


def redact_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Redact *record* in place (see the module docs); never raises."""
    try:
        if record.args:
            record.args = _redact_args(record.args, redactor)
            try:
                message = record.getMessage()
            except Exception:  # a bad format: the handler reports it as usual
                message = None
            if message is not None:
                redacted = redactor.redact_text(message)
                if redacted is not message:
                    record.msg, record.args = redacted, None
        elif isinstance(record.msg, str):
            record.msg = redactor.redact_text(record.msg)
        elif structlog_event(record) is not None:
            pass  # on its way through logging: redacted by the pipeline
        elif isinstance(record.msg, Mapping):  # a mapping logged as the message
            record.msg = redactor.redact(record.msg)
        elif record.msg is not None:
            shown = str(record.msg)
            redacted = redactor.redact_text(shown)
            if redacted is not shown:
                record.msg = redacted
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = _FORMATTER.formatException(record.exc_info)
            redacted = redactor.redact_text(text)
            if redacted is not text:
                record.exc_text = redacted
        if record.stack_info:
            record.stack_info = redactor.redact_text(record.stack_info)
    except Exception:  # logging must go on; the worst case is an unredacted field
        record.msg, record.args = "[REDACTED:unreadable log record]", None


class RedactingLogFilter(logging.Filter):
    """A ``logging.Filter`` that redacts every record it sees and keeps them all.

    *redactor* defaults to the process's; ``diagnostic=True`` redacts even
    when redaction is switched off (for pynector's own messages).
    """

    def __init__(self, redactor: Redactor | None = None, *, diagnostic: bool = False) -> None:
        super().__init__()
        self.redactor = redactor
        self.diagnostic = diagnostic

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = self.redactor or active_redactor()
        if redactor is None and self.diagnostic:
            redactor = diagnostic_redactor()
        if redactor is not None:
            redact_record(record, redactor)
        return True


def install_redacting_record_factory() -> None:
    """Chain a redacting factory in front of the current record factory (once).

    The factory reads the process's redactor for every record, so
    ``configure_telemetry(redact=False)`` later switches it off.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, _MARKER, False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redactor = active_redactor()
        if redactor is not None:
            redact_record(record, redactor)
        return record

    setattr(redacting_factory, _MARKER, True)
    # Keep the trace-id factory's mark visible, so it is not chained again.
    if getattr(previous, _CORRELATION_MARKER, False):
        setattr(redacting_factory, _CORRELATION_MARKER, True)
    logging.setLogRecordFactory(redacting_factory)


def protect_export_logger() -> None:
    """Redact pynector's export reports, which quote exporter errors (once)."""
    export_logger = logging.getLogger("pynector.telemetry.export")
    if not any(isinstance(f, RedactingLogFilter) for f in export_logger.filters):
        export_logger.addFilter(RedactingLogFilter(diagnostic=True))
