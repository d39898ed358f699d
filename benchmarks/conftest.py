"""Fixtures for the benchmark suite (run by ``make bench``; see README).

Every benchmark runs ``OPS`` operations per timed call, so that the cost of
the harness calling the benchmark function is spread thin; results are
reported per operation.  Benchmarks needing a package that is absent (the
"nothing installed" environment) are skipped there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

OPS = 1000


def needs(module: str) -> None:
    pytest.importorskip(module, reason=f"{module} is not installed in this environment")


@pytest.fixture
def no_provider() -> None:
    """OpenTelemetry imported, no global tracer provider (the common library case)."""
    needs("opentelemetry.trace")
    from opentelemetry import trace
    from opentelemetry.util._once import Once

    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()


@pytest.fixture
def sdk_provider() -> Iterator[TracerProvider]:
    """A global SDK provider whose processor hands spans to an exporter that drops them.

    OpenTelemetry allows one global provider per process; the benchmarks
    need one per benchmark, so the API's private globals are reset around
    each, as OpenTelemetry's own tests do.
    """
    needs("opentelemetry.sdk.trace")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
    from opentelemetry.util._once import Once

    class DropExporter(SpanExporter):
        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(DropExporter()))
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace.set_tracer_provider(provider)
    yield provider
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
