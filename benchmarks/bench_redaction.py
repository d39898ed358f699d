"""What redaction adds to a configured span with 10 ordinary attributes.

Group ``span-redaction``: a span through pynector's facade on an SDK
provider set up as ``configure_telemetry`` sets it up (a delivering,
batching processor whose exporter drops the spans):

* not redacted: ``configure_telemetry(redact=False)``;
* redacted: ``configure_telemetry()``, redaction in front of the exporter,
  so it runs in the export thread (its CPU still competes for the GIL
  with the application thread while the benchmark runs);
* redacted at pynector's boundary: the application's own provider; the
  library's attributes are redacted by the facade, on the application's
  thread.

Group ``redaction-cpu``: the CPU redaction itself costs per span, wherever
it runs: a batch of finished spans redacted as the export thread does,
against making the same spans with the SDK.

The attributes are those of an HTTP server span.  One of them (the request
path) differs on every span, so the redactor's per-value cache misses on
it as it would on real traffic; the others repeat, as methods, routes,
hosts and user agents do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from itertools import count, cycle
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import get_telemetry

from .conftest import OPS, needs

if TYPE_CHECKING:
    from pytest_benchmark.fixture import BenchmarkFixture

tracer, _ = get_telemetry("bench.redaction")
REDACTION_OPS = OPS // 10

_ORDINARY = {
    "http.request.method": "GET",
    "http.route": "/api/v1/orders/{id}",
    "url.scheme": "https",
    "server.address": "api.example.com",
    "server.port": 443,
    "http.response.status_code": 200,
    "user_agent.original": (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36"
    ),
    "network.protocol.version": "1.1",
    "client.address": "10.0.0.12",
}
_requests = count()
_providers: list[Any] = []


def ten_attributes() -> dict[str, Any]:
    return {**_ORDINARY, "url.path": f"/api/v1/orders/{next(_requests)}"}


def loop_spans() -> Callable[[], None]:
    def run() -> None:
        for _ in range(REDACTION_OPS):
            with tracer.start_as_current_span(
                "GET /api/v1/orders/{id}", attributes=ten_attributes()
            ):
                pass

    return run


def drop_exporter() -> Any:
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class DropExporter(SpanExporter):
        def export(self, spans: object) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    return DropExporter()


def use_provider(at_export: bool, at_boundary: bool) -> None:
    """A global SDK provider as configure_telemetry builds it, redacting as asked."""
    needs("opentelemetry.sdk.trace")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.util._once import Once

    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor
    from pynector.telemetry._export.span_redaction import RedactingSpanExporter
    from pynector.telemetry.redaction import Redactor, set_active_redactor

    redactor = Redactor() if at_export or at_boundary else None
    exporter = drop_exporter()
    if at_export:
        exporter = RedactingSpanExporter(exporter, redactor)
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(DeliveringSpanProcessor(lambda: exporter, "bench"))
    _providers.append(provider)
    set_active_redactor(redactor, exporters_redact=not at_boundary)
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace.set_tracer_provider(provider)


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    from pynector.telemetry.redaction import reset_redaction

    reset_redaction()
    while _providers:
        _providers.pop().shutdown()
    if "opentelemetry.trace" in sys.modules:
        from opentelemetry import trace
        from opentelemetry.util._once import Once

        trace._TRACER_PROVIDER = None
        trace._TRACER_PROVIDER_SET_ONCE = Once()


@pytest.mark.benchmark(group="span-redaction")
@pytest.mark.parametrize(
    ("at_export", "at_boundary", "contender"),
    [
        (False, False, "configured span, not redacted"),
        (True, False, "configured span, redacted in the export thread"),
        (False, True, "application's provider, redacted by the facade"),
    ],
    ids=["not-redacted", "redacted", "at-the-boundary"],
)
def test_span(
    benchmark: BenchmarkFixture, at_export: bool, at_boundary: bool, contender: str
) -> None:
    use_provider(at_export=at_export, at_boundary=at_boundary)
    benchmark.extra_info.update(contender=contender, ops=REDACTION_OPS)
    benchmark(loop_spans())


def finished_spans(number: int) -> list[Any]:
    needs("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    memory = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    sdk_tracer = provider.get_tracer("bench")
    for _ in range(number):
        with sdk_tracer.start_as_current_span(
            "GET /api/v1/orders/{id}", attributes=ten_attributes()
        ):
            pass
    return list(memory.get_finished_spans())


@pytest.mark.benchmark(group="redaction-cpu")
def test_cpu_making_spans(benchmark: BenchmarkFixture) -> None:
    needs("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(SimpleSpanProcessor(drop_exporter()))
    sdk_tracer = provider.get_tracer("bench")

    def run() -> None:
        for _ in range(REDACTION_OPS):
            with sdk_tracer.start_as_current_span(
                "GET /api/v1/orders/{id}", attributes=ten_attributes()
            ):
                pass

    benchmark.extra_info.update(contender="SDK span, 10 attributes", ops=REDACTION_OPS)
    benchmark(run)


@pytest.mark.benchmark(group="redaction-cpu")
def test_cpu_redacting_spans(benchmark: BenchmarkFixture) -> None:
    needs("opentelemetry.sdk.trace")
    from pynector.telemetry._export.span_redaction import RedactingSpanExporter
    from pynector.telemetry.redaction import Redactor

    exporter = RedactingSpanExporter(drop_exporter(), Redactor())
    # 16,000 distinct request paths: more than the redactor remembers, so each
    # batch is redacted as new, as on real traffic.
    batches = cycle([finished_spans(REDACTION_OPS) for _ in range(160)])

    def run() -> None:
        exporter.export(next(batches))

    benchmark.extra_info.update(contender="redacting those spans", ops=REDACTION_OPS)
    benchmark(run)
