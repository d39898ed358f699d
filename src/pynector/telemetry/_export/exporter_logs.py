"""Keep the exporters' log lines about pynector's own exports out of the application's logs.

OpenTelemetry's exporters log every failed attempt and every retry ("Transient
error ... retrying in 2s"), and its encoder logs one traceback per attribute
it cannot encode.  For pynector's exports those lines are noise: the
delivering processor reports a failure once, in its own words.  But the same
loggers serve the application's *other* OpenTelemetry exporters (metrics,
logs, its own span processors), whose lines must reach the application.

So the filter installed here looks at the thread that logs: a record emitted
while a delivery worker is exporting is handed to that delivery (which keeps
the latest message for its report, and learns from "retrying in" that the
exporter is waiting between tries rather than talking to the collector) and
not printed; every other record passes through untouched.  The worker
marks itself with a context variable, which is per thread.

``logging.config.dictConfig`` disables every logger it does not name
unless told otherwise, and a disabled logger makes no record at all: the
delivery would no longer hear that the collector is gone, and would wait
for the exporter's own timeout at exit.  So before each export
:func:`keep_hearing_exporters` enables such a logger again, and the filter
then drops every one of its records except those about our exports: it
stays as silent as the application made it.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Protocol

__all__ = ["ExporterLogSink", "capture_exporter_logs", "exporting_for", "keep_hearing_exporters"]


class ExporterLogSink(Protocol):
    """What a delivery does with an exporter's log record about its own export."""

    def exporter_logged(self, message: str, retrying: bool) -> None: ...


#: Set in a delivery worker thread, for its whole life.
exporting_for: ContextVar[ExporterLogSink | None] = ContextVar(
    "pynector_exporting_for", default=None
)

# Loggers through which OpenTelemetry's exporters report failed attempts.
_EXPORTER_LOGGERS = (
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http.metric_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.metric_exporter",
    "opentelemetry.exporter.otlp.proto.http._log_exporter",
    "opentelemetry.exporter.otlp.proto.grpc._log_exporter",
    "opentelemetry.exporter.zipkin.json",
)
# Loggers that report a value they could not encode: the batch still goes out.
_ENCODER_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.common._internal",
    "opentelemetry.exporter.zipkin.encoder",
)


# Loggers the application had disabled, enabled again for our exports only.
_silenced: set[str] = set()


class _OwnExportsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        sink = exporting_for.get()
        if sink is None or record.levelno < logging.WARNING:
            return record.name not in _silenced
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break export
            message = str(record.msg)
        if record.name not in _ENCODER_LOGGERS:
            # "Transient error ... retrying in 2.00s": the exporter now waits
            # for its next try; the attempt is failing, not in progress.
            sink.exporter_logged(message, retrying="retrying" in str(record.msg))
        return False


_filter = _OwnExportsOnly()


def capture_exporter_logs() -> None:
    """Install the filter on the exporters' loggers (idempotent)."""
    for name in _EXPORTER_LOGGERS + _ENCODER_LOGGERS:
        exporter_logger = logging.getLogger(name)
        if _filter not in exporter_logger.filters:
            exporter_logger.addFilter(_filter)


def keep_hearing_exporters() -> None:
    """Enable the exporters' loggers that something disabled (see the module
    docstring); called before each export, cheaply."""
    for name in _EXPORTER_LOGGERS:
        exporter_logger = logging.getLogger(name)
        if exporter_logger.disabled:
            _silenced.add(name)
            if _filter not in exporter_logger.filters:
                exporter_logger.addFilter(_filter)
            exporter_logger.disabled = False
