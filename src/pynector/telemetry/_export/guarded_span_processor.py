"""The application's own span processor, kept from raising into the application.

OpenTelemetry's tracer provider calls its processors in turn from inside
the application's code: ``on_start`` when a span starts, ``on_end`` when
its ``with`` block ends, ``shutdown`` from an exit hook.  An exception
there would reach the application's own code, and the processors after
the failing one (pynector's delivery among them) would never see the span.
:class:`GuardedSpanProcessor` turns each such failure into one
:class:`~pynector.telemetry.TelemetryWarning` per processor and method,
naming the processor by its class (never its ``repr``, which could hold a
credential), and carries on.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from .own_exporters import own_failed

__all__ = ["GuardedSpanProcessor"]


class GuardedSpanProcessor(SpanProcessor):
    """Call *processor* as the SDK would; a failure is a warning, never an exception."""

    def __init__(self, processor: SpanProcessor) -> None:
        self.processor = processor

    def _failed(self, method: str, error: Exception) -> None:
        own_failed(self.processor, method, error)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        try:
            self.processor.on_start(span, parent_context)
        except Exception as error:
            self._failed("on_start", error)

    def _on_ending(self, span: Span) -> None:
        on_ending: Any = getattr(self.processor, "_on_ending", None)  # older SDKs have none
        if on_ending is None:
            return
        try:
            on_ending(span)
        except Exception as error:
            self._failed("_on_ending", error)

    def on_end(self, span: ReadableSpan) -> None:
        try:
            self.processor.on_end(span)
        except Exception as error:
            self._failed("on_end", error)

    def shutdown(self) -> None:
        try:
            self.processor.shutdown()
        except Exception as error:
            self._failed("shutdown", error)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        try:
            return bool(self.processor.force_flush(timeout_millis))
        except Exception as error:
            self._failed("force_flush", error)
            return False
