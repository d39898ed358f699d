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

    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor, EncodingProblem

pytestmark = pytest.mark.requires_otel


class Recorder(Protocol):
    """What the tests control and read of the ``sdk`` fixture's exporter.

    The exporter itself is defined inside the fixture: it subclasses the
    SDK's ``SpanExporter``, which is absent in the no-dependency configuration.
    """

    batches: list[list[str]]
    failing: bool
    retrying: threading.Event
    raising: bool
    hang: threading.Event
    shut_down: bool
    delay: float
    entered: threading.Event
    suppressed: list[object]


Make = Callable[..., "tuple[Tracer, DeliveringSpanProcessor, Recorder]"]


@pytest.fixture
def sdk() -> Make:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    from pynector.telemetry._export.delivery import BatchOptions
    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor

    class Recording(SpanExporter):
        """Records batches; fails while `failing` is set; `hang` blocks export;
        while `retrying` is set, an export says it will retry and waits."""

        def __init__(self) -> None:
            self.batches: list[list[str]] = []
            self.failing = False
            self.retrying = threading.Event()
            self.raising = False
            self.hang = threading.Event()
            self.shut_down = False
            self.delay = 0.0
            self.entered = threading.Event()
            self.suppressed: list[object] = []

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            from opentelemetry import context

            self.suppressed.append(context.get_value(context._SUPPRESS_INSTRUMENTATION_KEY))
            time.sleep(self.delay)
            if self.retrying.is_set():  # as OpenTelemetry's exporters do, between their tries
                logging.getLogger("opentelemetry.exporter.otlp.common.http").warning(
                    "Transient error %s encountered while exporting span batch, retrying in 1s.",
                    503,
                )
                self.entered.set()
                while self.retrying.is_set() and not self.shut_down:
                    time.sleep(0.01)
            if self.hang.is_set():
                self.entered.set()
                while self.hang.is_set() and not self.shut_down:
                    time.sleep(0.01)
                return SpanExportResult.FAILURE
            if self.raising:
                raise RuntimeError("exporter bug")
            if self.failing or any(span.name == "poison" for span in spans):
                logging.getLogger("opentelemetry.exporter.otlp.common.http").error(
                    "Failed to export span batch code: %s", 503
                )
                return SpanExportResult.FAILURE
            self.batches.append([span.name for span in spans])
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            self.shut_down = True

    def make(
        encoding_problem: EncodingProblem | None = None, **options: Any
    ) -> tuple[Tracer, DeliveringSpanProcessor, Recorder]:
        exporter = Recording()
        processor = DeliveringSpanProcessor(
            lambda: exporter,
            "test sink",
            BatchOptions(**options),
            encoding_problem=encoding_problem,
        )
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
    assert processor.force_flush(5_000) is True  # the failed spans were kept and retried
    processor.shutdown()
    assert processor.stats.exported == 20
    assert processor.stats.lost == 0
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "pynector: cannot export spans to test sink (Failed to export span batch code: 503); "
        "they are kept and retried in the background, and any that are lost will be "
        "reported at exit."
    ]
    # the exporter's own log line was captured, not printed
    assert not [r for r in caplog.records if r.name.startswith("opentelemetry")]


def test_a_flush_answers_at_once_while_the_exporter_retries(sdk: Make) -> None:
    # A dead collector: the exporter waits between its tries; the flush
    # (at exit, before the final metrics) must not wait for them.
    tracer, processor, exporter = sdk(schedule_delay=60)
    exporter.retrying.set()
    emit(tracer, 3)
    answers: list[bool] = []
    flusher = threading.Thread(target=lambda: answers.append(processor.force_flush(60_000)))
    flusher.start()
    flusher.join(10)
    assert answers == [False]
    assert exporter.batches == []  # the export is still trying
    exporter.retrying.clear()  # the collector is back: that same try succeeds
    deadline = time.monotonic() + 10
    while not exporter.batches and time.monotonic() < deadline:
        time.sleep(0.01)
    assert exporter.batches == [["s", "s", "s"]]
    assert processor.force_flush(5_000) is True


def test_exporter_exception_never_reaches_the_application(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=1, schedule_delay=60)
    exporter.raising = True
    emit(tracer, 3)
    assert processor.force_flush(5_000) is False
    processor.shutdown()
    assert processor.stats.accepted == 3
    assert processor.stats.abandoned == 3  # retried until shutdown, then counted once


def named(tracer: Tracer, names: Sequence[str]) -> None:
    for name in names:
        with tracer.start_as_current_span(name):
            pass


def poll(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_failed_batch_is_retried_in_order_until_the_collector_is_back(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=5, schedule_delay=0.05)
    exporter.failing = True
    named(tracer, [f"s{i}" for i in range(10)])
    assert processor.force_flush(5_000) is False
    exporter.failing = False
    poll(lambda: processor.stats.exported == 10)
    assert [name for batch in exporter.batches for name in batch] == [f"s{i}" for i in range(10)]
    processor.shutdown()
    assert processor.stats.lost == 0


def test_a_retried_batch_never_grows_the_queue_past_its_bound(
    sdk: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pynector.telemetry.export")
    tracer, processor, exporter = sdk(max_queue_size=10, max_batch_size=10, schedule_delay=60)
    exporter.hang.set()  # the first export blocks, then fails
    emit(tracer, 10)
    assert exporter.entered.wait(5)
    emit(tracer, 11)  # ten fill the queue again, one is dropped
    exporter.hang.clear()  # the first batch fails: there is no room to put it back
    poll(lambda: processor.stats.failed == 10)
    assert processor.force_flush(10_000) is True
    processor.shutdown()
    stats = processor.stats
    assert (stats.accepted, stats.dropped, stats.exported, stats.failed) == (20, 1, 10, 10)
    assert stats.accepted == stats.exported + stats.failed + stats.abandoned
    assert caplog.records[-1].getMessage() == (
        "pynector: 11 of 21 spans were not delivered to test sink: 1 dropped because the "
        "export queue was full (OTEL_BSP_MAX_QUEUE_SIZE=10); 10 not accepted (export failed) "
        "with no room left in the queue to retry them."
    )


def test_one_bad_span_does_not_sink_its_batch(sdk: Make, caplog: pytest.LogCaptureFixture) -> None:
    def problem(spans: Sequence[ReadableSpan]) -> str | None:
        return "poisoned" if any(span.name == "poison" for span in spans) else None

    caplog.set_level(logging.WARNING, logger="pynector.telemetry.export")
    tracer, processor, exporter = sdk(problem, max_batch_size=100, schedule_delay=60)
    names = [f"s{i}" for i in range(100)]
    names[37] = "poison"
    named(tracer, names)
    assert processor.force_flush(5_000) is True
    processor.shutdown()
    assert processor.stats.exported == 99
    assert processor.stats.failed == 1
    delivered = [name for batch in exporter.batches for name in batch]
    assert delivered == [name for name in names if name != "poison"]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "pynector: some spans could not be sent to test sink and were dropped (poisoned); "
        "the others were sent, and the count will be reported at exit.",
        "pynector: 1 of 100 spans were not delivered to test sink: 1 could not be sent (poisoned).",
    ]


def test_exports_run_with_instrumentation_suppressed(sdk: Make) -> None:
    tracer, processor, exporter = sdk(max_batch_size=1, schedule_delay=60)
    emit(tracer, 2)
    assert processor.force_flush(5_000) is True
    processor.shutdown()
    assert exporter.suppressed == [True, True]


def test_exporter_logs_from_the_application_pass_through(
    sdk: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    _, processor, _ = sdk()  # installs the capture filter
    for name in (
        "opentelemetry.exporter.otlp.proto.grpc.exporter",
        "opentelemetry.exporter.otlp.common.http",
    ):
        logging.getLogger(name).error("the application's own metrics export failed")
    processor.shutdown()
    assert [r.getMessage() for r in caplog.records] == [
        "the application's own metrics export failed"
    ] * 2


def test_queue_bound_counts_drops(sdk: Make) -> None:
    tracer, processor, exporter = sdk(
        max_queue_size=10, max_batch_size=100, schedule_delay=60, export_timeout=0.2
    )
    exporter.hang.set()  # whatever reaches the exporter never completes
    emit(tracer, 10)  # a full batch (the queue's size): the worker takes it
    assert exporter.entered.wait(5)
    emit(tracer, 22)  # ten fill the queue again, twelve do not fit
    assert processor.stats.accepted == 20
    assert processor.stats.dropped == 12
    started = time.monotonic()
    processor.shutdown()
    assert time.monotonic() - started < 1.0
    assert processor.stats.abandoned == 20
    assert processor.stats.lost == 32


def test_shutdown_on_a_hung_exporter_is_bounded(sdk: Make) -> None:
    # No export has completed yet, so nothing says how slow the collector
    # usually is: the wait is bounded by the export timeout.
    tracer, processor, exporter = sdk(max_batch_size=5, schedule_delay=60, export_timeout=0.3)
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
