"""Slow collectors, outages and the accounting of every span, against a real collector.

A slow collector is the real one behind :class:`~support.latency_proxy.LatencyProxy`,
which delays every answer.  Tests assert what arrived and what was counted;
exit times are printed, not asserted.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from typing import TYPE_CHECKING

import pytest

from support.latency_proxy import LatencyProxy
from support.otlp_apps import EMIT_APP, PROTOCOLS, InteractiveApp, otlp_env, run_app

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_slow_but_healthy_collector_gets_everything_at_exit(
    collector: Collector, protocol: str
) -> None:
    port = collector.grpc_port if protocol == "grpc" else collector.http_port
    with LatencyProxy(port, delay=2.0) as proxy:
        # 2,000 spans are four requests of 512, each answered 2 s late; the
        # application returns at once and the exit hook drains the queue.
        result, exit_seconds = run_app(EMIT_APP, ["2000"], otlp_env(proxy.port, protocol))
    spans = collector.wait_for(2000)
    assert sorted(span["attributes"]["i"] for span in spans) == list(range(2000))
    assert "not delivered" not in result.stderr, result.stderr
    print(f"{protocol}: 2 s per request, 2000 of 2000 delivered, exit {exit_seconds:.1f}s")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_collector_down_for_ten_seconds_loses_nothing(
    collector: Collector, protocol: str
) -> None:
    app = InteractiveApp(otlp_env(collector, protocol, OTEL_BSP_SCHEDULE_DELAY="200"))
    try:
        assert app.command("emit 100 before") == "emitted before"
        assert app.command("flush") == "flushed True"
        # Accepted is not yet written: let the collector finish with them before it dies.
        assert len(collector.wait_for(100)) == 100
        collector.kill()
        assert app.command("emit 100 during") == "emitted during"
        time.sleep(10)  # the outage: the exporter's own retries run out meanwhile
        collector.start()  # same ports
        assert app.command("emit 100 after") == "emitted after"
        received = collector.wait_for(300, timeout=90)
        exit_seconds, stderr = app.quit()
    finally:
        app.kill()
    phases = Counter((span["name"], span["attributes"]["i"]) for span in received)
    assert phases == {(phase, i): 1 for phase in ("before", "during", "after") for i in range(100)}
    assert "not delivered" not in stderr, stderr
    assert len(stderr.splitlines()) <= 1, stderr  # at most the one "cannot export" warning
    print(f"{protocol}: 10 s outage, 300 of 300 delivered, exit {exit_seconds:.2f}s; {stderr!r}")


def test_every_span_is_counted_exactly_once(
    collector: Collector, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    from pynector.telemetry._export.settings import resolve_settings
    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor
    from pynector.telemetry._export.span_processors import build_span_processors

    for name, value in {
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.http_endpoint,
        "OTEL_BSP_MAX_QUEUE_SIZE": "200",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "50",
        "OTEL_BSP_SCHEDULE_DELAY": "60000",
    }.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.WARNING, logger="pynector.telemetry.export")
    ((_, processor),) = build_span_processors(resolve_settings(exporters=["otlp"]))
    assert isinstance(processor, DeliveringSpanProcessor)
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("counting")

    def emit(count: int) -> None:
        for i in range(count):
            with tracer.start_as_current_span("counted", attributes={"i": i}):
                pass

    emit(1000)  # a burst into a queue of 200: some may be dropped
    assert processor.force_flush(30_000) is True
    exported = processor.stats.exported
    assert len(collector.wait_for(exported)) == exported
    collector.kill()
    emit(300)  # nothing is delivered now; at least 100 do not fit in the queue
    processor.shutdown()

    stats = processor.stats
    assert stats.accepted + stats.dropped == 1300
    assert stats.accepted == stats.exported + stats.failed + stats.abandoned
    assert stats.exported == exported == len(collector.spans())
    assert stats.dropped >= 100
    assert stats.abandoned > 0
    (report,) = [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]
    counted = re.search(
        r"(\d+) of 1300 spans were not delivered .*: (\d+) dropped .*; (\d+) still", report
    )
    assert counted, report
    assert [int(n) for n in counted.groups()] == [stats.lost, stats.dropped, stats.abandoned]
    print(f"counted: {stats}; report: {report}")
