"""Deliver telemetry in batches from a background thread, accounting for every item.

OpenTelemetry's batch processors drop items silently once their queue is
full, give up on a batch as soon as the exporter's own retries run out,
report a successful flush when the export failed, keep a process alive for
30 seconds at exit when the collector is gone, and do not survive a fork
(the worker thread is gone, a lock may have been copied while held, gRPC
channels break).  :class:`Delivery` keeps their batching model (a bounded
queue drained by one background thread, batches of ``max_batch_size``
every ``schedule_delay``) and adds:

* **accounting**: every item ends up exported, failed (it could never be
  sent, or was refused with no room left to retry it), dropped (queue
  full) or abandoned (still queued when the process left), so that
  ``accepted = exported + failed + abandoned`` once shut down, and
  ``accepted + dropped`` is everything offered.  Anything not exported is
  reported once, at exit, in one log line;
* **retries**: a batch the collector did not take goes back to the front
  of the queue (as far as the queue has room) and is tried again with a
  growing pause, until shutdown, so an outage loses nothing the queue can
  hold;
* **quiet failure**: the exporters' own retry messages about our exports
  are captured, not printed (:mod:`.exporter_logs`); the first problem
  gives one concise warning.  Exports run with OpenTelemetry's
  suppress-instrumentation flag, as the SDK's processors do, so an
  instrumented HTTP or gRPC client does not trace them (which would feed
  spans back forever);
* **bounded exit**: at shutdown the queue is drained for as long as the
  collector makes progress, up to ``export_timeout``.  An attempt that
  fails ends the wait at once; an attempt that takes more than five times
  the usual export time (at least ``stall_timeout``) counts as a stall;
* **fork safety**: a forked child starts with a fresh lock, queue,
  counters and sender (so a new HTTP session or gRPC channel) and starts
  its worker when it first has something to send.  The parent's queue
  stays the parent's.  Children that leave through ``os._exit``
  (multiprocessing's fork workers) still flush and report, through
  ``multiprocessing.util.Finalize``.  Before a fork, a worker in the middle
  of an export is given ``fork_wait`` seconds to finish it, because gRPC
  cannot fork safely during a call (see :meth:`Delivery._before_fork`).

The core knows nothing about spans: a :class:`Sender` turns one batch into
a :class:`Sent` outcome.  Reports go to the standard library logger
``pynector.telemetry.export``; with no logging configured, Python prints
warnings to stderr.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY as _SUPPRESS_INSTRUMENTATION

from .exporter_logs import capture_exporter_logs, exporting_for, keep_hearing_exporters

__all__ = [
    "BatchOptions",
    "Delivery",
    "DeliveryFront",
    "DeliveryStats",
    "DeliveryView",
    "Sender",
    "Sent",
    "send_in_parts",
    "shutdown_exporter",
]

T = TypeVar("T")

logger = logging.getLogger("pynector.telemetry.export")

_FIRST_RETRY_DELAY = 1.0  # seconds before a failed batch is tried again; doubles per failure
_MAX_RETRY_DELAY = 10.0
_EXIT_PRIORITY = -100  # multiprocessing finalizers: after the application's own (>= 0)

# Exporters a forked child inherited: never used there (their connections
# are the parent's) and never garbage-collected (a gRPC channel's finalizer
# must not run in a process that did not create it).
_inherited: list[object] = []


@dataclass
class DeliveryStats:
    """What happened to the items offered to one delivery.

    Once shut down, ``accepted == exported + failed + abandoned``; items
    offered in all are ``accepted + dropped``.
    """

    accepted: int = 0
    exported: int = 0
    failed: int = 0
    dropped: int = 0
    abandoned: int = 0

    @property
    def lost(self) -> int:
        return self.failed + self.dropped + self.abandoned


@dataclass(frozen=True)
class Sent(Generic[T]):
    """The outcome of sending one batch.

    *rejected* maps a reason to the number of items that can never be sent
    for it (they could not be encoded, or are too large); *retry* holds the
    items the collector did not take this time, in order.
    """

    exported: int = 0
    rejected: Mapping[str, int] = field(default_factory=dict)
    retry: Sequence[T] = ()
    error: str | None = None


class Sender(Protocol[T]):
    """Sends batches to one destination; a fresh one is made in each process."""

    def send(self, batch: list[T]) -> Sent[T]: ...

    def shutdown(self, timeout: float) -> None: ...


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def send_in_parts(
    parts: Sequence[list[T]],
    export: Callable[[list[T]], bool],
    encoding_problem: Callable[[list[T]], str | None] | None,
) -> Sent[T]:
    """Export *parts* in order; one bad item must not sink the others.

    When a part fails and *encoding_problem* finds it cannot be encoded,
    the part is split in two and each half is tried on its own, down to
    the single items that cannot be sent (rejected, with the reason).  A
    part that fails although it encodes is a delivery failure: it and
    every part after it are returned for retry.
    """
    exported = 0
    rejected: dict[str, int] = {}
    error: str | None = None
    pending = list(reversed(parts))  # a stack: the next part is last
    while pending:
        part = pending.pop()
        try:
            if export(part):
                exported += len(part)
                continue
        except Exception as raised:  # an exporter that raises may have met a bad item
            error = describe(raised)
        problem = encoding_problem(part) if encoding_problem is not None else None
        if problem is None:
            retry = part + [item for later in reversed(pending) for item in later]
            return Sent(exported, rejected, retry, error)
        if len(part) == 1:
            rejected[problem] = rejected.get(problem, 0) + 1
            continue
        middle = len(part) // 2
        pending += [part[middle:], part[:middle]]
    return Sent(exported, rejected, (), error)


def shutdown_exporter(exporter: Any, timeout: float) -> None:
    """Shut an OpenTelemetry exporter down, interrupting its retries, within
    *timeout* seconds (when it takes a timeout; log exporters do not)."""
    shutdown: Any = exporter.shutdown
    if "timeout_millis" in inspect.signature(shutdown).parameters:
        shutdown(timeout_millis=timeout * 1000)
    else:
        shutdown()


@dataclass(frozen=True)
class BatchOptions:
    """How a delivery batches, retries and gives up (times in seconds)."""

    max_queue_size: int = 32_768
    max_batch_size: int = 512
    schedule_delay: float = 5.0
    export_timeout: float = 30.0
    stall_timeout: float = 1.0
    fork_wait: float = 0.0


class Delivery(Generic[T]):
    """Batch items to a :class:`Sender` in a background thread; see the module docs.

    *new_sender* is called once here (so that a configuration error shows
    at once) and again in each forked child that has something to send.
    *destination* names where items go (``OTLP http/protobuf
    http://host:4318/v1/traces``) in warnings and reports; *what* names the
    items (``spans``) and *queue_setting* the variable that sizes the queue.
    """

    def __init__(
        self,
        new_sender: Callable[[], Sender[T]],
        destination: str,
        options: BatchOptions | None = None,
        *,
        what: str = "spans",
        queue_setting: str = "OTEL_BSP_MAX_QUEUE_SIZE",
    ) -> None:
        self.destination = destination
        self.options = options or BatchOptions()
        self._max_batch_size = min(self.options.max_batch_size, self.options.max_queue_size)
        self._what = what
        self._queue_setting = queue_setting
        self._new_sender = new_sender
        self._forked = False
        self._reset()
        self.sender: Sender[T] | None = new_sender()
        capture_exporter_logs()
        _live.add(self)

    @property
    def queue_size(self) -> int:
        """How many items wait in this process's queue now."""
        return len(self._queue)

    def _reset(self) -> None:
        """The state that belongs to one process."""
        self.stats = DeliveryStats()
        self._condition = threading.Condition()
        self._queue: deque[T] = deque()
        self._worker: threading.Thread | None = None
        self._pid = os.getpid()
        self._in_flight = 0
        self._attempt_started = 0.0
        self._attempt_failing = False
        self._usual_seconds: float | None = None  # moving average of successful attempts
        self._retry_at = 0.0
        self._retry_delay = _FIRST_RETRY_DELAY
        self._flush_requested = False
        self._flush_failed = False
        self._shutting_down = False
        self._abandoned = False
        self._fork_pending = 0
        self._warned: set[str] = set()
        self._last_error: str | None = None
        self._rejections: dict[str, int] = {}
        self._no_room = 0

    # -- the application's side: never blocks for long, never raises -------------
    def offer(self, item: T) -> None:
        if self._pid != os.getpid():  # forked without the fork hooks (a C extension's fork)
            self._after_fork_in_child()
        with self._condition:
            if self._shutting_down or len(self._queue) >= self.options.max_queue_size:
                self.stats.dropped += 1
                return
            self._queue.append(item)
            self.stats.accepted += 1
            if self._worker is None:
                self._start_worker()
            elif len(self._queue) == self._max_batch_size:
                self._condition.notify_all()

    def _start_worker(self) -> None:
        self._worker = threading.Thread(
            target=self._run, name=f"pynector-{self._what}-export", daemon=True
        )
        self._worker.start()
        if self._forked:
            _flush_when_multiprocessing_exits(self.shutdown)

    # -- the worker -----------------------------------------------------------------
    def _run(self) -> None:
        exporting_for.set(self)
        otel_context.attach(otel_context.set_value(_SUPPRESS_INSTRUMENTATION, True))
        while (batch := self._next_batch()) is not None:
            if batch:
                self._deliver(batch)

    def _next_batch(self) -> list[T] | None:
        """Wait for a batch to be due; ``None`` once there is nothing left to try."""
        with self._condition:
            due = time.monotonic() + self.options.schedule_delay
            while True:
                if self._abandoned or (self._shutting_down and self._attempt_failing):
                    return None
                now = time.monotonic()
                urgent = self._shutting_down or self._flush_requested
                wait: float | None
                if self._fork_pending:
                    wait = None
                elif not urgent and now < self._retry_at:
                    wait = self._retry_at - now
                elif urgent or len(self._queue) >= self._max_batch_size or now >= due:
                    break
                else:
                    wait = due - now
                self._condition.wait(wait)
            if not self._queue:
                if self._flush_requested:
                    self._flush_requested = False
                    self._condition.notify_all()
                return None if self._shutting_down else []
            count = min(self._max_batch_size, len(self._queue))
            batch = [self._queue.popleft() for _ in range(count)]
            self._in_flight = count
            self._attempt_started = now
            self._attempt_failing = False
            return batch

    def _deliver(self, batch: list[T]) -> None:
        keep_hearing_exporters()
        started = time.monotonic()
        sent: Sent[T]
        try:
            if self.sender is None:
                self.sender = self._new_sender()
        except Exception as error:  # e.g. no gRPC in a forked child: nothing can be sent
            sent = Sent(rejected={f"no exporter in this process: {describe(error)}": len(batch)})
        else:
            try:
                sent = self.sender.send(batch)
            except Exception as error:  # a bug in an exporter must not kill the worker
                sent = Sent(retry=batch, error=describe(error))
        self._record(sent, time.monotonic() - started)

    def _record(self, sent: Sent[T], seconds: float) -> None:
        with self._condition:
            self._in_flight = 0
            if self._abandoned:  # shutdown counted this batch as abandoned already
                return
            self.stats.exported += sent.exported
            for reason, count in sent.rejected.items():
                self.stats.failed += count
                self._rejections[reason] = self._rejections.get(reason, 0) + count
            self._attempt_failing = bool(sent.retry)
            if sent.retry:
                self._last_error = sent.error or self._last_error
                self._requeue(sent.retry)
                self._flush_failed = True
                self._flush_requested = False
            else:
                self._retry_at = 0.0
                self._retry_delay = _FIRST_RETRY_DELAY
                if sent.exported:
                    usual = self._usual_seconds
                    self._usual_seconds = seconds if usual is None else 0.8 * usual + 0.2 * seconds
            self._condition.notify_all()
            warning = self._first_warning(sent)
        if warning is not None:
            logger.warning(*warning)

    def _requeue(self, items: Sequence[T]) -> None:
        """Put *items* back at the front, as far as the queue has room; count the rest."""
        room = max(0, self.options.max_queue_size - len(self._queue))
        kept = items[:room]
        self._queue.extendleft(reversed(kept))
        lost = len(items) - len(kept)
        self.stats.failed += lost
        self._no_room += lost
        self._retry_at = time.monotonic() + self._retry_delay
        self._retry_delay = min(2 * self._retry_delay, _MAX_RETRY_DELAY)

    def _first_warning(self, sent: Sent[T]) -> tuple[Any, ...] | None:
        """One warning per kind of problem, and none while shutting down (the report says it)."""
        if self._shutting_down:
            return None
        if sent.retry and "retry" not in self._warned:
            self._warned.add("retry")
            return (
                "pynector: cannot export %s to %s (%s); they are kept and retried in the "
                "background, and any that are lost will be reported at exit.",
                self._what,
                self.destination,
                self._last_error or "export failed",
            )
        if sent.rejected and "rejected" not in self._warned:
            self._warned.add("rejected")
            return (
                "pynector: some %s could not be sent to %s and were dropped (%s); the others "
                "were sent, and the count will be reported at exit.",
                self._what,
                self.destination,
                "; ".join(sent.rejected),
            )
        return None

    def exporter_logged(self, message: str, retrying: bool) -> None:
        """An exporter logged *message* during our export (see :mod:`.exporter_logs`)."""
        with self._condition:
            if self._abandoned:  # "shutdown in progress, aborting retry": we know
                return
            self._last_error = message
            if retrying and self._in_flight:
                self._attempt_failing = True
                self._condition.notify_all()

    # -- flush and shutdown -----------------------------------------------------------
    def force_flush(self, timeout_millis: float = 30_000) -> bool:
        """Try to export everything queued now; ``True`` only if it was all delivered in time.

        Returns ``False`` as soon as an attempt fails, or is known to be
        failing (the exporter waits between its retries): with a dead
        collector, a flush costs nothing.
        """
        deadline = time.monotonic() + timeout_millis / 1000
        with self._condition:
            if self._shutting_down or not (self._queue or self._in_flight):
                return not (self._queue or self._in_flight)
            self._flush_requested = True
            self._flush_failed = False
            if not self._in_flight:  # a failure before now: the worker tries once more
                self._attempt_failing = False
            self._condition.notify_all()
            while (
                (self._queue or self._in_flight)
                and not self._flush_failed
                and not self._attempt_failing
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
            return not (self._flush_failed or self._attempt_failing)

    def shutdown(self, last: Sequence[T] = ()) -> None:
        """Drain the queue while the collector makes progress, then report what was lost.

        *last* is queued as shutdown begins (a metric reader's final
        collection), so that a failure to send it is in the report, not in
        a warning of its own.
        """
        if last and self._pid != os.getpid():  # forked without the fork hooks
            self._after_fork_in_child()
        with self._condition:
            if self._shutting_down:
                return
            self._shutting_down = True
            for item in last:
                if len(self._queue) >= self.options.max_queue_size:
                    self.stats.dropped += 1
                    continue
                self._queue.append(item)
                self.stats.accepted += 1
            if self._worker is None and self._queue:
                self._start_worker()
            if not self._in_flight:  # a failure before now: the worker makes one last attempt
                self._attempt_failing = False
            self._condition.notify_all()
            self._wait_for_progress()
            pending = len(self._queue) + self._in_flight
            if pending:
                self._abandoned = True
                self.stats.abandoned += pending
                self._queue.clear()
                self._condition.notify_all()
            worker, sender = self._worker, self.sender
        stall = self.options.stall_timeout
        if sender is not None:
            self._shut_down(sender, 0.0 if pending else stall)
        if worker is not None:
            worker.join(0.2 if pending else stall)
        self._report()

    def _shut_down(self, sender: Sender[T], timeout: float) -> None:
        """Shut *sender* down, waiting for it at most ``stall_timeout`` seconds.

        It runs on a thread of its own: an exporter whose ``shutdown`` never
        returns (the application's own, or one stuck in a call) is left to
        finish on its own, with one report line, rather than hold the exit.
        """

        def shut_down() -> None:
            with suppress(Exception):  # the process is leaving; nothing useful to raise
                sender.shutdown(timeout)

        wait = self.options.stall_timeout
        thread = threading.Thread(target=shut_down, name="pynector-shutdown", daemon=True)
        thread.start()
        thread.join(wait)
        if thread.is_alive():
            logger.warning(
                "pynector: %s did not finish shutting down within %gs; it is left to "
                "finish on its own.",
                self.destination,
                wait,
            )

    def _wait_for_progress(self) -> None:
        """Called locked: return once drained, failing, stalled or out of time."""
        started = time.monotonic()
        while (self._queue or self._in_flight) and not self._attempt_failing:
            if self._worker is None or not self._worker.is_alive():
                return
            limit = started + self.options.export_timeout
            if self._in_flight and self._usual_seconds is not None:
                stall = max(self.options.stall_timeout, 5 * self._usual_seconds)
                limit = min(limit, self._attempt_started + stall)
            remaining = limit - time.monotonic()
            if remaining <= 0:
                return
            self._condition.wait(remaining)

    def _report(self) -> None:
        stats = self.stats
        if not stats.lost:
            return
        reasons = []
        if stats.dropped:
            reasons.append(
                f"{stats.dropped} dropped because the export queue was full "
                f"({self._queue_setting}={self.options.max_queue_size})"
            )
        reasons += [f"{count} could not be sent ({why})" for why, count in self._rejections.items()]
        last_error = self._last_error or "export failed"
        if self._no_room:
            reasons.append(
                f"{self._no_room} not accepted ({last_error}) with no room left in the queue "
                "to retry them"
            )
        if stats.abandoned:
            reasons.append(
                f"{stats.abandoned} still queued when the collector stopped answering"
                + (f" ({self._last_error})" if self._last_error else "")
            )
        logger.warning(
            "pynector: %d of %d %s were not delivered to %s: %s.",
            stats.lost,
            stats.accepted + stats.dropped,
            self._what,
            self.destination,
            "; ".join(reasons),
        )

    # -- fork ------------------------------------------------------------------------
    def _before_fork(self) -> None:
        """Let an export in flight finish (up to ``fork_wait``) and start no other.

        A fork in the middle of a gRPC call breaks gRPC in the child, and one
        during the first export may copy an import lock held.  An attempt
        known to be failing is waiting between the exporter's retries, in
        neither: the fork goes ahead at once.
        """
        if self._pid != os.getpid():  # state copied by a fork that ran no hooks: not ours
            return
        with self._condition:
            self._fork_pending += 1
            deadline = time.monotonic() + self.options.fork_wait
            while (
                self._in_flight
                and not self._attempt_failing
                and (remaining := deadline - time.monotonic()) > 0
            ):
                self._condition.wait(remaining)

    def _after_fork_in_parent(self) -> None:
        if self._pid != os.getpid():
            return
        with self._condition:
            self._fork_pending = max(0, self._fork_pending - 1)
            self._condition.notify_all()

    def _after_fork_in_child(self) -> None:
        if self.sender is not None:
            _inherited.append(self.sender)
        self.sender = None
        self._reset()
        self._forked = True


class DeliveryView(Generic[T]):
    """What a processor or reader backed by a :class:`Delivery` tells about it:
    where it delivers, its counts and its queue (for reports and self-metrics)."""

    _delivery: Delivery[T]

    @property
    def destination(self) -> str:
        return self._delivery.destination

    @property
    def stats(self) -> DeliveryStats:
        """This process's counts (a forked child starts from zero)."""
        return self._delivery.stats

    @property
    def queue_size(self) -> int:
        """How many items wait in this process's queue now."""
        return self._delivery.queue_size

    @property
    def queue_capacity(self) -> int:
        """How many items the queue holds at most."""
        return self._delivery.options.max_queue_size


class DeliveryFront(DeliveryView[T]):
    """An SDK processor's side of a :class:`Delivery`, whatever it delivers:
    what the span processor and the log record processor have in common."""

    def shutdown(self) -> None:
        self._delivery.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._delivery.force_flush(timeout_millis)


def _flush_when_multiprocessing_exits(shutdown: Callable[[], None]) -> None:
    """Run *shutdown* when a multiprocessing child ends, before its ``os._exit``.

    multiprocessing clears its finalizers as a child starts, so this is
    called when the child first has something to send.
    """
    util: Any = sys.modules.get("multiprocessing.util")
    if util is not None:
        util.Finalize(None, shutdown, exitpriority=_EXIT_PRIORITY)


_live: weakref.WeakSet[Delivery[Any]] = weakref.WeakSet()


def _for_each_live(hook: Callable[[Delivery[Any]], None]) -> Callable[[], None]:
    def run() -> None:
        for delivery in list(_live):
            with suppress(Exception):  # a fork hook must never raise into os.fork()
                hook(delivery)

    return run


os.register_at_fork(
    before=_for_each_live(Delivery._before_fork),
    after_in_parent=_for_each_live(Delivery._after_fork_in_parent),
    after_in_child=_for_each_live(Delivery._after_fork_in_child),
)
