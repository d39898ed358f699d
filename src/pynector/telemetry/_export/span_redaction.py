"""Apply the :mod:`~pynector.telemetry.redaction` rules to spans on their way out.

Attributes can be set on a span at any time until it ends, so redaction
happens when it ends: :class:`RedactingSpanProcessor` sits in front of an
exporter's processor and hands it a copy of the span with sensitive
attribute and event values replaced.  A span with nothing to redact is
passed on as it is, without copying.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor

from ..redaction import Redactor

__all__ = ["RedactingSpanProcessor", "redact_span"]


def redact_span(span: ReadableSpan, redactor: Redactor) -> ReadableSpan:
    """*span* itself if nothing is sensitive, else a redacted copy."""
    attributes: Any = span.attributes or {}
    redacted_attributes = redactor.redact(attributes)
    events = []
    events_changed = False
    for event in span.events:
        event_attributes: Any = event.attributes or {}
        redacted = redactor.redact(event_attributes)
        if redacted is not event_attributes:
            events_changed = True
            event = Event(event.name, redacted, event.timestamp)
        events.append(event)
    if redacted_attributes is attributes and not events_changed:
        return span
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=redacted_attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingSpanProcessor(SpanProcessor):
    """Hand *inner* a redacted view of every ended span."""

    def __init__(self, inner: SpanProcessor, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self.inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self.inner.on_end(redact_span(span, self.redactor))

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.inner.force_flush(timeout_millis)
