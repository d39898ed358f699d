"""DeliveringSpanProcessor with the real SDK and small exporters that succeed, fail or hang."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.trace import Tracer

    from pynector.telemetry._export.delivery import DeliveringSpanProcessor

pytestmark = pytest.mark.requires_otel


class Recorder(Protocol):
    """What the tests control and read of the ``sdk`` fixture's exporter.

    The exporter itself is defined inside the fixture: it subclasses the
    SDK's ``SpanExporter``, which is absent in the no-dependency configuration.
    """

    batches: list[list[str]]
    failing: bool
    raising: bool
    hang: threading.Event
    shut_down: bool
    delay: float


Make = Callable[..., "tuple[Tracer, DeliveringSpanProcessor, Recorder]"]


@pytest.fixture
def sdk() -> Make:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    from pynector.telemetry._export.delivery import DeliveringSpanProcessor

    class Recording(SpanExporter):
        """Records batches; fails while `failing` is set; `hang` blocks export."""

        def __init__(self) -> None:
            self.batches: list[list[str]] = []
            self.failing = False
            self.raising = False
            self.hang = threading.Event()
            self.shut_down = False
            self.delay = 0.0

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            time.sleep(self.delay)
            if self.hang.is_set():
                while self.hang.is_set() and not self.shut_down:
                    time.sleep(0.01)
                return SpanExportResult.FAILURE
            if self.raising:
                raise RuntimeError("exporter bug")
            if self.failing:
                logging.getLogger("opentelemetry.exporter.otlp.common.http").error(
                    "Failed to export span batch code: %s", 503
                )
                return SpanExportResult.FAILURE
            self.batches.append([span.name for span in spans])
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            self.shut_down = True

    def make(**options: Any) -> tuple[Tracer, DeliveringSpanProcessor, Recorder]:
        exporter = Recording()
        processor = DeliveringSpanProcessor(exporter, "test sink", **options)
        provider = TracerProvider(shutdown_on_exit=False)
        provider.add_span_processor(processor)
        return provider.get_tracer("t"), processor, exporter

    return make


def emit(tracer: Tracer, count: int, name: str = "s") -> None:
    for _ in range(count):
        with tracer.start_as_current_span(name):
            pass


def test_batches_by_size_and_flushes(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=10, schedule_delay=60)
    emit(tracer, 25)
    assert processor.force_flush(5_000) is True
    assert sorted(len(b) for b in exporter.batches) == [5, 10, 10]
    processor.shutdown()
    assert processor.stats.exported == 25
    assert processor.stats.lost == 0


def test_schedule_delay_exports_without_a_full_batch(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=100, schedule_delay=0.05)
    emit(tracer, 3)
    deadline = time.monotonic() + 5
    while not exporter.batches and time.monotonic() < deadline:
        time.sleep(0.01)
    assert exporter.batches == [["s", "s", "s"]]
    processor.shutdown()


def test_failed_flush_is_reported_as_false_and_warned_once(
    sdk: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pynector.telemetry.export")
    tracer, processor, exporter = sdk(max_batch_size=5, schedule_delay=60)
    exporter.failing = True
    emit(tracer, 10)
    assert processor.force_flush(5_000) is False
    emit(tracer, 5)
    assert processor.force_flush(5_000) is False
    exporter.failing = False
    emit(tracer, 5)
    assert processor.force_flush(5_000) is True
    processor.shutdown()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert "cannot export spans to test sink (Failed to export span batch code: 503)" in messages[0]
    assert messages[1] == (
        "pynector: 15 of 20 spans were not delivered to test sink: "
        "15 not accepted (Failed to export span batch code: 503)."
    )
    # the exporter's own log line was captured, not printed
    assert not [r for r in caplog.records if r.name.startswith("opentelemetry")]


def test_exporter_exception_never_reaches_the_application(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=1, schedule_delay=60)
    exporter.raising = True
    emit(tracer, 3)
    assert processor.force_flush(5_000) is False
    processor.shutdown()
    assert processor.stats.failed == 3


def test_queue_bound_counts_drops(sdk: Make) -> None:
    tracer, processor, exporter = sdk(
        max_queue_size=10, max_batch_size=100, schedule_delay=60, stall_timeout=0.2
    )
    exporter.hang.set()  # whatever reaches the exporter never completes
    emit(tracer, 22)
    assert processor.stats.accepted == 10
    assert processor.stats.dropped == 12
    started = time.monotonic()
    processor.shutdown()
    assert time.monotonic() - started < 1.0
    assert processor.stats.abandoned == 10
    assert processor.stats.lost == 22


def test_shutdown_on_a_hung_exporter_is_bounded(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=5, schedule_delay=60, stall_timeout=0.3)
    exporter.hang.set()
    emit(tracer, 12)
    started = time.monotonic()
    processor.shutdown()
    elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert exporter.shut_down
    assert processor.stats.abandoned == 12
    emit(tracer, 1)  # after shutdown: counted, not queued
    assert processor.stats.dropped == 1
    processor.shutdown()  # idempotent


def test_unsampled_spans_are_ignored(sdk: Make) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

    _, processor, exporter = sdk()
    provider = TracerProvider(sampler=ALWAYS_OFF, shutdown_on_exit=False)
    provider.add_span_processor(processor)
    emit(provider.get_tracer("t"), 5)
    processor.shutdown()
    assert processor.stats.accepted == 0
    assert exporter.batches == []


def test_a_slow_but_healthy_collector_is_waited_for_at_exit(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=5, schedule_delay=60, stall_timeout=0.2)
    exporter.delay = 0.3  # every export takes longer than stall_timeout
    emit(tracer, 5)
    assert processor.force_flush(5_000) is True  # learns the usual export time
    emit(tracer, 15)
    processor.shutdown()
    assert processor.stats.exported == 20
    assert processor.stats.lost == 0
