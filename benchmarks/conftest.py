"""Fixtures for the benchmark suite (run by ``make bench``; see docs/benchmarks.md).

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
    from opentelemetry.sdk.metrics import MeterProvider
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


def _reset_meter_provider() -> None:
    from opentelemetry.metrics import _internal as metrics
    from opentelemetry.util._once import Once

    metrics._METER_PROVIDER = None
    metrics._METER_PROVIDER_SET_ONCE = Once()
    metrics._PROXY_METER_PROVIDER = metrics._ProxyMeterProvider()


@pytest.fixture
def no_meter_provider() -> None:
    """OpenTelemetry's metrics API imported, no global meter provider (a library's case)."""
    needs("opentelemetry.metrics")
    _reset_meter_provider()


@pytest.fixture
def sdk_meter_provider() -> Iterator[MeterProvider]:
    """A global SDK meter provider with a reader that is never collected during the run."""
    needs("opentelemetry.sdk.metrics")
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    provider = MeterProvider(metric_readers=[InMemoryMetricReader()], shutdown_on_exit=False)
    _reset_meter_provider()
    metrics.set_meter_provider(provider)
    yield provider
    provider.shutdown()
    _reset_meter_provider()
