"""A batching span processor that accounts for every span and never holds up exit.

OpenTelemetry's ``BatchSpanProcessor`` drops spans silently once its queue
is full, logs every retry of a failing export, reports a successful flush
even when the export failed, and can keep a process alive for 30 seconds
at exit when the collector is gone.  :class:`DeliveringSpanProcessor`
keeps the same batching model (a bounded queue drained by one background
thread, batches of ``OTEL_BSP_MAX_EXPORT_BATCH_SIZE`` every
``OTEL_BSP_SCHEDULE_DELAY``) and adds:

* **accounting** — every span handed to it ends up counted as exported,
  failed (the exporter rejected it or could not reach the collector),
  dropped (queue full) or abandoned (still queued when the process left);
  anything not exported is reported once, at shutdown, in one log line;
* **quiet failure** — the exporter's own retry messages are captured, not
  printed; the first failure produces one concise warning;
* **bounded exit** — at shutdown, the queue is drained for as long as
  batches keep succeeding; if the collector stops answering (no batch
  completes within ``stall_timeout`` seconds, or five times the usual
  export time of a slow collector), the rest is abandoned and reported, so
  a dead collector, from the start or mid-stream, costs about one second.

Reports go to the standard library logger ``pynector.telemetry.export``;
with no logging configured, Python prints warnings to stderr.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import SpanExportResult

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = ["DeliveringSpanProcessor", "DeliveryStats"]

logger = logging.getLogger("pynector.telemetry.export")

# Loggers through which OpenTelemetry's exporters report each failed attempt.
_EXPORTER_LOGGERS = (
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
    "opentelemetry.exporter.zipkin.json",
)


@dataclass
class DeliveryStats:
    """What happened to the spans handed to one processor."""

    accepted: int = 0
    exported: int = 0
    failed: int = 0
    dropped: int = 0
    abandoned: int = 0

    @property
    def lost(self) -> int:
        return self.failed + self.dropped + self.abandoned


class _CaptureFailures(logging.Filter):
    """Keep the latest exporter failure message for our report; print nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.last_error: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            try:
                self.last_error = record.getMessage()
            except Exception:  # a malformed record must not break export
                self.last_error = str(record.msg)
        return False


_capture = _CaptureFailures()


def _capture_exporter_logs() -> None:
    for name in _EXPORTER_LOGGERS:
        exporter_logger = logging.getLogger(name)
        if _capture not in exporter_logger.filters:
            exporter_logger.addFilter(_capture)


class DeliveringSpanProcessor(SpanProcessor):
    """Batch spans to *exporter* in a background thread; see the module docs.

    *destination* names where spans go (``otlp http://host:4318/v1/traces``)
    in warnings and reports.
    """

    def __init__(
        self,
        exporter: SpanExporter,
        destination: str,
        *,
        max_queue_size: int = 32_768,
        max_batch_size: int = 512,
        schedule_delay: float = 5.0,
        export_timeout: float = 30.0,
        stall_timeout: float = 1.0,
    ) -> None:
        self.exporter = exporter
        self.destination = destination
        self.stats = DeliveryStats()
        self._max_queue_size = max_queue_size
        self._max_batch_size = min(max_batch_size, max_queue_size)
        self._schedule_delay = schedule_delay
        self._export_timeout = export_timeout
        self._stall_timeout = stall_timeout
        self._queue: deque[ReadableSpan] = deque()
        self._condition = threading.Condition()
        self._in_flight = 0
        self._flush_requested = False
        self._flush_ok = True
        self._healthy: bool | None = None  # unknown until the first export
        self._last_progress = time.monotonic()
        self._export_seconds = 0.0  # moving average of successful exports
        self._shutting_down = False
        self._abandoned = False
        self._warned = False
        _capture_exporter_logs()
        self._start_worker()

    @property
    def queue_size(self) -> int:
        """How many spans wait in the queue now."""
        return len(self._queue)

    @property
    def queue_capacity(self) -> int:
        """How many spans the queue holds at most (``OTEL_BSP_MAX_QUEUE_SIZE``)."""
        return self._max_queue_size

    def _start_worker(self) -> None:
        self._pid = os.getpid()
        self._worker = threading.Thread(target=self._run, name="pynector-span-export", daemon=True)
        self._worker.start()

    # -- the application's side: never blocks, never raises -----------------
    def on_end(self, span: ReadableSpan) -> None:
        context = span.context
        if context is None or not context.trace_flags.sampled:
            return
        with self._condition:
            if self._pid != os.getpid():  # forked: the worker did not survive
                self._queue.clear()
                self._start_worker()
            if self._shutting_down or len(self._queue) >= self._max_queue_size:
                self.stats.dropped += 1
                return
            self._queue.append(span)
            self.stats.accepted += 1
            if len(self._queue) >= self._max_batch_size:
                self._condition.notify_all()

    # -- the worker ----------------------------------------------------------
    def _next_batch(self) -> list[ReadableSpan] | None:
        """Wait for a batch to be due; ``None`` once shut down and drained."""
        with self._condition:
            deadline = time.monotonic() + self._schedule_delay
            while not (
                self._shutting_down
                or self._flush_requested
                or len(self._queue) >= self._max_batch_size
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            if self._abandoned:
                return None
            if not self._queue:
                if self._flush_requested:
                    self._flush_requested = False
                    self._condition.notify_all()
                return None if self._shutting_down else []
            count = min(self._max_batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            self._in_flight = count
            return batch

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            if batch:
                started = time.monotonic()
                ok = self._export(batch)
                self._record(batch, ok, time.monotonic() - started)

    def _export(self, batch: list[ReadableSpan]) -> bool:
        try:
            return self.exporter.export(batch) is SpanExportResult.SUCCESS
        except Exception as error:  # an exporter bug must not kill the worker
            _capture.last_error = repr(error)
            return False

    def _record(self, batch: list[ReadableSpan], ok: bool, seconds: float) -> None:
        with self._condition:
            self._in_flight = 0
            if self._abandoned:  # counted as abandoned by shutdown already
                return
            if ok:
                self.stats.exported += len(batch)
                self._healthy = True
                self._last_progress = time.monotonic()
                self._export_seconds = 0.8 * self._export_seconds + 0.2 * seconds
            else:
                self.stats.failed += len(batch)
                self._healthy = False
                self._flush_ok = False
            self._condition.notify_all()
            warn_now = not ok and not self._warned and not self._shutting_down
            self._warned = self._warned or warn_now
        if warn_now:
            logger.warning(
                "pynector: cannot export spans to %s (%s); spans will be retried in the "
                "background, and any that are lost will be reported at exit.",
                self.destination,
                _capture.last_error or "export failed",
            )

    # -- flush and shutdown -------------------------------------------------------
    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export everything queued; ``True`` only if it was all delivered in time."""
        deadline = time.monotonic() + timeout_millis / 1000
        with self._condition:
            if self._shutting_down:
                return not self._queue
            self._flush_requested = True
            self._flush_ok = True
            self._condition.notify_all()
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return self._flush_ok

    def shutdown(self) -> None:
        with self._condition:
            if self._shutting_down:
                return
            self._shutting_down = True
            self._condition.notify_all()
            started = time.monotonic()
            while self._queue or self._in_flight:
                # Keep waiting while batches succeed; give up on a stall.  A
                # collector known to be slow gets five of its usual exports.
                stall = self._stall_timeout
                if self._healthy:
                    stall = max(stall, 5 * self._export_seconds)
                deadline = min(
                    max(self._last_progress, started) + stall, started + self._export_timeout
                )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            pending = len(self._queue) + self._in_flight
            if pending:
                self._abandoned = True
                self.stats.abandoned += pending
                self._queue.clear()
        self._shutdown_exporter(wait=0.0 if pending else self._stall_timeout)
        self._worker.join(0.2 if pending else self._stall_timeout)
        self._report()

    def _shutdown_exporter(self, wait: float) -> None:
        """Shut the exporter down, interrupting its retries, within *wait* seconds."""
        shutdown: Any = self.exporter.shutdown
        try:
            if "timeout_millis" in inspect.signature(shutdown).parameters:
                shutdown(timeout_millis=wait * 1000)
            else:
                shutdown()
        except Exception:  # the process is leaving; nothing useful to raise
            pass

    def _report(self) -> None:
        stats = self.stats
        if not stats.lost:
            return
        reasons = []
        if stats.dropped:
            reasons.append(
                f"{stats.dropped} dropped because the export queue was full "
                f"(OTEL_BSP_MAX_QUEUE_SIZE={self._max_queue_size})"
            )
        if stats.failed:
            reasons.append(f"{stats.failed} not accepted ({_capture.last_error or 'failed'})")
        if stats.abandoned:
            reasons.append(f"{stats.abandoned} still queued when the collector stopped answering")
        total = stats.accepted + stats.dropped
        logger.warning(
            "pynector: %d of %d spans were not delivered to %s: %s.",
            stats.lost,
            total,
            self.destination,
            "; ".join(reasons),
        )
