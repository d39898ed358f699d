"""A copy of an ended span with some of its parts replaced.

Ended spans are read-only and may be shared by several processors (say,
console and OTLP), so redaction and sanitising never change one: they
build a :class:`CopiedSpan` from it.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["CopiedSpan"]


class CopiedSpan(ReadableSpan):
    """*original* with the parts in *changes* replaced (``name``, ``attributes``,
    ``events``, ``links``, ``status``, ``resource``: all of them), still
    reporting the original's dropped counts."""

    def __init__(self, original: ReadableSpan, **changes: Any) -> None:
        super().__init__(
            context=original.context,
            parent=original.parent,
            kind=original.kind,
            start_time=original.start_time,
            end_time=original.end_time,
            instrumentation_scope=original.instrumentation_scope,
            **changes,
        )
        self._dropped = (
            original.dropped_attributes,
            original.dropped_events,
            original.dropped_links,
        )

    @property
    def dropped_attributes(self) -> int:
        return self._dropped[0]

    @property
    def dropped_events(self) -> int:
        return self._dropped[1]

    @property
    def dropped_links(self) -> int:
        return self._dropped[2]
