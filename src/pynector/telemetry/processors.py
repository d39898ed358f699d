"""structlog processors that connect log lines to traces and keep secrets out.

:func:`~pynector.telemetry.configure_telemetry` puts :func:`add_trace_context`
and :func:`redact_secrets` in the pipeline it builds.  An application that
configures structlog itself adds them to its own processor list, the
redaction last before the renderer (after ``format_exc_info``, so that
exception text is redacted too):

>>> import structlog
>>> structlog.configure(
...     processors=[
...         add_trace_context,
...         structlog.processors.format_exc_info,
...         redact_secrets,
...         structlog.processors.JSONRenderer(),
...     ]
... )
"""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from typing import Any

__all__ = ["add_trace_context", "current_trace_ids", "redact_secrets"]


def current_trace_ids() -> tuple[str, str] | None:
    """``(trace_id, span_id)`` of the current span as W3C hex, or ``None``.

    ``None`` when OpenTelemetry was never imported or no valid span is
    current; it never imports OpenTelemetry itself.
    """
    global _last
    otel_trace = sys.modules.get("opentelemetry.trace")
    if otel_trace is None:
        return None
    span_context = otel_trace.get_current_span().get_span_context()
    last_context, last_ids = _last
    if span_context is last_context:  # many lines are logged in the same span
        return last_ids
    ids = None
    if span_context.is_valid:
        ids = format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")
    _last = (span_context, ids)
    return ids


# The last span context seen and its ids (a span context is immutable).
_last: tuple[object, tuple[str, str] | None] = (None, None)


def add_trace_context(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Add ``trace_id`` and ``span_id`` of the current span to the event.

    Fields the caller set explicitly are kept.  Outside a span the event is
    unchanged.
    """
    ids = current_trace_ids()
    if ids is not None:
        event_dict.setdefault("trace_id", ids[0])
        event_dict.setdefault("span_id", ids[1])
    return event_dict


def redact_secrets(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace secrets in every field of the event, at any depth.

    Uses the process's redactor (see
    :func:`pynector.telemetry.redaction.active_redactor`); does nothing
    after ``configure_telemetry(redact=False)``.
    """
    from .redaction import active_redactor

    redactor = active_redactor()
    if redactor is None:
        return event_dict
    return redactor(logger, method_name, event_dict)
