"""The span processor and sampler behind a capture (needs the OpenTelemetry SDK).

See :mod:`._spans` for how they are attached to the global provider.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from ._capture import TelemetryCapture

__all__ = ["HUB", "CaptureHub", "WhileCapturing"]


class _Hub:
    """The captures active now, and the providers the hub is attached to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.captures: tuple[TelemetryCapture, ...] = ()
        self.providers: weakref.WeakSet[TracerProvider] = weakref.WeakSet()

    def add(self, capture: TelemetryCapture) -> None:
        with self.lock:
            self.captures = (*self.captures, capture)

    def remove(self, capture: TelemetryCapture) -> None:
        with self.lock:
            self.captures = tuple(c for c in self.captures if c is not capture)

    def attach_to(self, provider: TracerProvider, make: Callable[[], SpanProcessor]) -> None:
        """Add a hub processor to *provider*, once."""
        with self.lock:
            if provider not in self.providers:
                provider.add_span_processor(make())
                self.providers.add(provider)


HUB = _Hub()


class CaptureHub(SpanProcessor):
    """Hands every span to the captures active when it starts and ends."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for capture in HUB.captures:
            capture.span_started(span)

    def on_end(self, span: ReadableSpan) -> None:
        for capture in HUB.captures:
            capture.span_ended(span)


class WhileCapturing(Sampler):
    """The test provider's sampler: every span while a capture is active, none otherwise."""

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if HUB.captures:
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)
        return SamplingResult(Decision.DROP, None, trace_state)

    def get_description(self) -> str:
        return "pynector.testing.WhileCapturing"
