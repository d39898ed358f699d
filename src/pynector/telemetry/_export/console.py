"""The console exporter's format: one readable line per span.

Used by ``trace_exporters=["console"]``; lines go to stdout as each span ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["format_console_span"]


def format_console_span(span: ReadableSpan) -> str:
    """One readable line per span: name, ids, parent, duration, status, attributes."""
    context = span.context
    parent = span.parent
    duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    attributes = " ".join(f"{key}={value!r}" for key, value in (span.attributes or {}).items())
    fields = [
        f"span {span.name!r}",
        f"trace_id={context.trace_id:032x}" if context else "trace_id=-",
        f"span_id={context.span_id:016x}" if context else "span_id=-",
        f"parent_id={parent.span_id:016x}" if parent else "parent_id=-",
        f"duration_ms={duration_ms:.3f}",
        f"status={span.status.status_code.name}",
    ]
    if span.status.description:
        fields.append(f"error={span.status.description!r}")
    if attributes:
        fields.append(attributes)
    return " ".join(fields) + "\n"
