"""The bridge to OpenTelemetry logs: every log record becomes one OTLP ``LogRecord``.

structlog has no OpenTelemetry bridge, and the SDK's own ``LoggingHandler``
is deprecated.  Since the one logging pipeline hands every record to the
root logger's handlers (a library's events through the facade, the
application's structlog events and every standard library record alike),
one handler there sees them all: :class:`LogExportHandler`, which
:func:`~pynector.telemetry.configure_telemetry` installs when a log
exporter is configured, at the configured level.  Each record becomes:

==========================  ===================================================
OTLP field                  from
==========================  ===================================================
severity number and text    the record's level (INFO 9, WARN 13, ERROR 17...)
body                        the event (a structlog event, a facade event
                            without its fields) or the formatted message,
                            redacted, and cut to :data:`MAX_BODY_LENGTH`
                            characters so that one record always fits in
                            a request (gRPC refuses one over 4 MiB)
attributes                  the structured fields, after the pipeline's
                            processors and redaction (by key and by shape,
                            like the body), cut to the value length limit,
                            as OpenTelemetry types
                            (``str``, ``bool``, ``int``, ``float``,
                            sequences; anything else as text or JSON)
trace id, span id, flags    the span current when the record was *made*
                            (stamped on the record then, see
                            :mod:`.correlation`), not when it is exported
instrumentation scope       the logger's name
``exception.*``             ``exception.type``, ``exception.message`` and
                            ``exception.stacktrace`` for ``exc_info``, the
                            last two redacted; a stack trace (this one, and
                            ``stack`` for ``stack_info``) is cut from its
                            start, to keep the innermost frames
resource                    the spans' resource
==========================  ===================================================

Records about telemetry itself never become exported records, so that an
export cannot feed itself: those of ``pynector.telemetry.export`` (delivery
reports) and of OpenTelemetry's own loggers, those made while an export is
running (OpenTelemetry's suppress-instrumentation flag, set by the
delivering processor), and any made while this handler is converting one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Mapping
from time import time_ns
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY

from .._attributes import coerce_value, safe_repr
from .._export.last_shutdown import shut_down_last
from .._otlp_values import clean_int, clean_text
from .._warnings import warn_once
from ..redaction import Redactor, active_redactor
from .correlation import trace_fields
from .record_fields import record_fields, structlog_event
from .structlog_pipeline import foreign_chain

__all__ = [
    "MAX_BODY_LENGTH",
    "LogExportHandler",
    "install_log_export",
    "installed_provider",
    "severity",
    "uninstall_log_export",
]

# Loggers whose records are about telemetry itself (see the module docstring).
_OWN_LOGGERS = ("pynector.telemetry.export", "opentelemetry")

# Event keys that are OTLP fields of their own, or structlog's bookkeeping.
_NOT_ATTRIBUTES = frozenset(
    {
        "event",
        "level",
        "logger",
        "timestamp",
        "trace_id",
        "span_id",
        "exc_info",
        "stack_info",
        "positional_args",
        "_record",
        "_from_structlog",
    }
)
_SEVERITY_TEXT = {"WARNING": "WARN", "CRITICAL": "FATAL"}

#: The longest body exported, in characters (at most 2 MiB encoded, well
#: under gRPC's 4 MiB): a 10 MB message is cut, not refused with its batch.
MAX_BODY_LENGTH = 512 * 1024


def severity(levelno: int) -> SeverityNumber:
    """The OTLP severity of a ``logging`` level: DEBUG 5, INFO 9, WARNING 13,
    ERROR 17, CRITICAL 21, the levels in between one step up each (at most
    three: 25 is INFO4), and a level below DEBUG is TRACE."""
    if levelno <= 0:
        return SeverityNumber.UNSPECIFIED
    if levelno < 10:
        return SeverityNumber.TRACE
    if levelno >= 50:
        return SeverityNumber(min(21 + levelno - 50, 24))
    return SeverityNumber(1 + 4 * (levelno // 10) + min(levelno % 10, 3))


def _owned(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in _OWN_LOGGERS)


def _attribute_value(value: Any, limit: int | None) -> Any:
    """*value* as an OTLP attribute value (texts cut to *limit*), or ``None`` to leave it out."""
    if value is None:
        return None
    value = coerce_value(value)
    if isinstance(value, str):
        return clean_text(value, limit)
    if isinstance(value, tuple):
        return tuple(_attribute_value(item, limit) for item in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return clean_int(value, limit)
    return value


# The last trace context a record carried and its OpenTelemetry context:
# records come in bursts from one span.
_OUTSIDE = trace.set_span_in_context(trace.INVALID_SPAN)
_last: tuple[object, otel_context.Context] = (None, _OUTSIDE)


def _made_in(record: logging.LogRecord) -> otel_context.Context:
    """A context holding the span that was current when *record* was made."""
    global _last
    stamped = record.__dict__
    if "otelTraceID" not in stamped:  # made before configure_telemetry: the span now
        stamped = trace_fields()
    key = (stamped.get("otelTraceID"), stamped.get("otelSpanID"), stamped.get("otelTraceSampled"))
    last_key, context = _last
    if key == last_key:
        return context
    trace_id, span_id, sampled = key
    try:
        span_context = trace.SpanContext(
            int(str(trace_id), 16),
            int(str(span_id), 16),
            is_remote=False,
            trace_flags=trace.TraceFlags(
                trace.TraceFlags.SAMPLED if sampled is True else trace.TraceFlags.DEFAULT
            ),
        )
    except ValueError:  # not hexadecimal: not a trace id
        span_context = trace.INVALID_SPAN_CONTEXT
    context = _OUTSIDE
    if span_context.is_valid:
        context = trace.set_span_in_context(trace.NonRecordingSpan(span_context))
    _last = (key, context)
    return context


def _message(record: logging.LogRecord) -> str:
    """The record's message; as written when its ``%``-arguments do not fit
    (as our stderr handler writes it, where ``logging`` would print an error)."""
    try:
        return record.getMessage()
    except Exception:
        return record.msg if isinstance(record.msg, str) else safe_repr(record.msg)


def _event(record: logging.LogRecord) -> dict[str, Any] | None:
    """The record as the pipeline's processors leave it: an event dict
    (``None`` when a processor dropped it)."""
    structlog_dict = structlog_event(record)
    if structlog_dict is not None:  # through the processors already
        return dict(structlog_dict)
    chain = foreign_chain()
    event: dict[str, Any]
    if chain is not None:  # what the formatter runs over such a record, run the same way
        processed: Any = {"event": _message(record), "_record": record, "_from_structlog": False}
        if record.exc_info:
            processed["exc_info"] = record.exc_info
        from structlog import DropEvent

        try:
            for processor in chain:
                processed = processor(None, record.levelname.lower(), processed)
        except DropEvent:
            return None
        event = dict(processed)
    else:  # no structlog pipeline: the facade's bare event, or the message; the fields
        event = record_fields(record)
        bare = record.__dict__.get("event")
        event["event"] = bare if isinstance(bare, str) else _message(record)
    if record.stack_info:  # the stack where the record was made (already redacted)
        event["stack"] = record.stack_info
    return event


def _redacted(text: str, redactor: Redactor | None, limit: int | None) -> str:
    return clean_text(text if redactor is None else redactor.redact_text(text), limit)


def _tail(stack: str, limit: int | None) -> str:
    """A stack trace cut to *limit* characters from its start, marked ``…``:
    its end (the innermost frames, the exception) is what a reader needs."""
    if limit is not None and len(stack) > limit:
        stack = "…" + stack[len(stack) - limit + 1 :] if limit else ""
    return clean_text(stack, None)


def _exception(
    record: logging.LogRecord,
    event: Mapping[str, Any],
    redactor: Redactor | None,
    limit: int | None,
) -> dict[str, str]:
    info: Any = record.exc_info or event.get("exc_info")
    if isinstance(info, BaseException):
        info = (type(info), info, info.__traceback__)
    if not (isinstance(info, tuple) and len(info) == 3 and isinstance(info[1], BaseException)):
        return {}
    kind, value, tb = info
    stacktrace = "".join(traceback.format_exception(kind, value, tb))
    return {
        "exception.type": clean_text(kind.__qualname__, limit),
        "exception.message": _redacted(safe_repr(value), redactor, limit),
        "exception.stacktrace": _tail(_redacted(stacktrace, redactor, None), limit),
    }


def _attributes(
    record: logging.LogRecord,
    event: Mapping[str, Any],
    redactor: Redactor | None,
    limit: int | None,
) -> dict[str, Any]:
    fields = {key: value for key, value in event.items() if key not in _NOT_ATTRIBUTES}
    if redactor is not None and fields:
        fields = dict(redactor.redact(fields))
    attributes: dict[str, Any] = {}
    stack = fields.pop("stack", None)
    if isinstance(stack, str):
        attributes["stack"] = _tail(stack, limit)
    for key, value in fields.items():
        name = clean_text(key if type(key) is str else safe_repr(key), None)
        converted = _attribute_value(value, limit)
        if name and converted is not None:
            attributes[name] = converted
    attributes.update(_exception(record, event, redactor, limit))
    return attributes


def _body(event: Mapping[str, Any], redactor: Redactor | None) -> Any:
    body = event.get("event")
    value = _attribute_value(body, None)
    if isinstance(value, (bool, int, float)):
        return value
    # Cut after redaction, so that no secret is cut short of its shape.
    text = value if isinstance(value, str) else safe_repr(body)
    return _redacted(text, redactor, MAX_BODY_LENGTH)


class LogExportHandler(logging.Handler):
    """Hands every record at or above *level* to the SDK's *provider* as an OTLP record.

    Attribute values longer than *value_length_limit* characters are cut
    (the body at :data:`MAX_BODY_LENGTH`).

    The provider is shut down (delivering what it holds, and reporting what
    it could not) after the exit hooks, whose log records are exported too
    (see :mod:`~pynector.telemetry._export.last_shutdown`), or when the
    handler is replaced.
    """

    def __init__(self, provider: Any, level: int, value_length_limit: int | None = None) -> None:
        super().__init__(level)
        self.provider = provider
        self.value_length_limit = value_length_limit
        self._loggers: dict[str, Any] = {}
        self._converting = threading.local()
        self._provider_open = True
        self._cancel_at_exit = shut_down_last(self.shutdown_provider, "logs")

    def handle(self, record: logging.LogRecord) -> bool:
        """``logging.Handler.handle`` without the handler's lock.

        :meth:`emit` is thread-safe without it, and a record the delivery
        thread makes (an HTTP client logs from there) must never wait for
        it while ``logging`` holds it, closing handlers.
        """
        result: object = self.filter(record)
        if isinstance(result, logging.LogRecord):  # Python 3.12+: a filter may replace it
            record = result
        if result:
            self.emit(record)
        return bool(result)

    def shutdown_provider(self) -> None:
        """Shut the provider down (which delivers what it still holds), once."""
        if self._provider_open:
            self._provider_open = False
            self._cancel_at_exit()
            # A provider that fails to shut down must not stop an exit or a reconfiguration.
            with contextlib.suppress(Exception):
                self.provider.shutdown()

    def emit(self, record: logging.LogRecord) -> None:
        if (
            _owned(record.name)
            or getattr(self._converting, "active", False)
            or otel_context.get_value(_SUPPRESS_INSTRUMENTATION_KEY)
        ):
            return
        self._converting.active = True
        try:
            self._export(record)
        except Exception as error:  # a log call never fails because of the export
            warn_once(
                "log-export-failed",
                "A log record could not be exported "
                f"({type(error).__name__}: {safe_repr(error)[:200]}); it was skipped. "
                "This warning is shown once per process.",
            )
        finally:
            self._converting.active = False

    def _export(self, record: logging.LogRecord) -> None:
        event = _event(record)
        if event is None:
            return
        scope = event.get("logger")
        name = scope if isinstance(scope, str) and scope else record.name
        logger = self._loggers.get(name)
        if logger is None:
            logger = self._loggers[name] = self.provider.get_logger(name)
        redactor = active_redactor()
        logger.emit(
            LogRecord(
                timestamp=int(record.created * 1_000_000_000),
                observed_timestamp=time_ns(),
                context=_made_in(record),
                severity_text=_SEVERITY_TEXT.get(record.levelname, record.levelname),
                severity_number=severity(record.levelno),
                body=_body(event, redactor),
                attributes=_attributes(record, event, redactor, self.value_length_limit),
            )
        )


def install_log_export(
    provider: Any, level: int, value_length_limit: int | None = None
) -> LogExportHandler:
    """Put a :class:`LogExportHandler` on the root logger, in place of an earlier one."""
    uninstall_log_export()
    handler = LogExportHandler(provider, level, value_length_limit)
    logging.getLogger().addHandler(handler)
    return handler


def installed_provider() -> Any:
    """The logger provider of the log export in place, or ``None``."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LogExportHandler):
            return handler.provider
    return None


def uninstall_log_export() -> None:
    """Take our handler off the root logger and shut its provider down (which
    delivers what it still holds)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, LogExportHandler)]:
        root.removeHandler(handler)
        handler.shutdown_provider()
