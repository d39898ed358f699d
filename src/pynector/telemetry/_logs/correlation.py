"""Stamp every standard library log record with the current trace, span and service.

After :func:`~pynector.telemetry.configure_telemetry`, *every* record, made
by any logger, inside a span or not, carries the attributes OpenTelemetry's
logging instrumentation sets, so formats written for it work unchanged:

=====================  ===============================  ==================
attribute              inside a span                    outside a span
=====================  ===============================  ==================
``otelTraceID``        32 hex digits                    ``"0"``
``otelSpanID``         16 hex digits                    ``"0"``
``otelTraceSampled``   ``True``/``False``               ``False``
``otelServiceName``    the resource's ``service.name``  the same
=====================  ===============================  ==================

e.g. ``"%(message)s trace_id=%(otelTraceID)s span_id=%(otelSpanID)s"``.
These names cannot clash with what applications pass as ``extra=``
(``trace_id`` is a common one; a clash raises ``KeyError`` in ``logging``).

It wraps the current log record factory rather than replacing it, so a
factory the application installed keeps working, and it never raises: a
record gets the outside-a-span values if the current span cannot be read.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = [
    "FIELD_NAMES",
    "TraceFields",
    "add_trace_fields",
    "install_record_factory",
    "record_factory_correlates",
    "trace_fields",
]

#: The record attributes, as OpenTelemetry's logging instrumentation names them.
FIELD_NAMES = ("otelTraceID", "otelSpanID", "otelTraceSampled", "otelServiceName")

_MARKER = "_pynector_correlates"

# The last span context seen and its fields, and the last provider and its
# service name, each pair swapped in as one tuple so that threads never see
# one's key with another's value.  A burst of records in one span costs a
# lookup, not a formatting.
_NO_IDS = ("0", "0", False)
_last_span: tuple[object, tuple[str, str, bool]] = (None, _NO_IDS)
_last_service: tuple[object, str] = (None, "")


def _service_name(otel_trace: Any) -> str:
    global _last_service
    provider = otel_trace.get_tracer_provider()
    last_provider, name = _last_service
    if provider is not last_provider:
        resource = getattr(provider, "resource", None)
        found = (getattr(resource, "attributes", None) or {}).get("service.name")
        name = found if isinstance(found, str) else ""
        _last_service = (provider, name)
    return name


def _span_ids(otel_trace: Any) -> tuple[str, str, bool]:
    global _last_span
    context = otel_trace.get_current_span().get_span_context()
    last_context, ids = _last_span
    if context is not last_context:
        ids = _NO_IDS
        if context.is_valid:
            ids = (
                format(context.trace_id, "032x"),
                format(context.span_id, "016x"),
                bool(context.trace_flags.sampled),
            )
        _last_span = (context, ids)
    return ids


def trace_fields() -> dict[str, Any]:
    """The four ``otel*`` attributes for a record made now; never raises.

    It never imports OpenTelemetry itself: until something did, there is
    no span and no service.
    """
    otel_trace = sys.modules.get("opentelemetry.trace")
    trace_id, span_id, sampled, service = "0", "0", False, ""
    if otel_trace is not None:
        try:
            trace_id, span_id, sampled = _span_ids(otel_trace)
            service = _service_name(otel_trace)
        except Exception:  # a broken context or provider must not break logging
            pass
    return {
        "otelTraceID": trace_id,
        "otelSpanID": span_id,
        "otelTraceSampled": sampled,
        "otelServiceName": service,
    }


def record_factory_correlates() -> bool:
    """Whether the installed record factory is ours (it adds the fields)."""
    return bool(getattr(logging.getLogRecordFactory(), _MARKER, False))


class TraceFields(logging.Filter):
    """Give each record that lacks them the ``otel*`` attributes; never overwrite.

    For a logger whose records need them whatever the record factory is
    (pynector's route for a library's events).  Added after the record is
    made, so it cannot collide with ``extra=`` or with a factory that set
    them (ours, or OpenTelemetry's logging instrumentation).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        attributes = record.__dict__
        if "otelTraceID" not in attributes:
            for name, value in trace_fields().items():
                attributes.setdefault(name, value)
        return True


def add_trace_fields(logger: logging.Logger) -> None:
    """Put a :class:`TraceFields` filter on *logger* (once)."""
    if not any(isinstance(existing, TraceFields) for existing in logger.filters):
        logger.addFilter(TraceFields())


def install_record_factory() -> None:
    """Chain a trace-stamping factory in front of the current one (once)."""
    if record_factory_correlates():
        return
    previous = logging.getLogRecordFactory()

    def correlating_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.__dict__.update(trace_fields())
        return record

    setattr(correlating_factory, _MARKER, True)
    logging.setLogRecordFactory(correlating_factory)
