"""A periodic metric reader whose exports go through pynector's :class:`~.delivery.Delivery`.

OpenTelemetry's ``PeriodicExportingMetricReader`` collects every
``OTEL_METRIC_EXPORT_INTERVAL`` and once more at shutdown, but with a dead
collector that last export retries for the exporter's whole timeout while
the process waits (up to 30 seconds), every failed attempt is logged, a
collection the collector did not take is gone, a child started by
:mod:`multiprocessing` (which leaves through ``os._exit``) never exports
its last interval, and a forked child exports through its parent's gRPC
channel.  :class:`DeliveringMetricReader` keeps the collecting model (a
collection per interval and a final one at shutdown) and hands each
collection to the same delivery core as spans, so metrics get the span
guarantees:

* **nothing lost at exit** — the final collection runs at shutdown, which
  the meter provider's exit hook starts without any call from the
  application; in a :mod:`multiprocessing` child a ``Finalize`` hook does
  it, before the delivery's own;
* **retries** — a collection the collector did not take is kept and tried
  again (up to ``max_collections`` of them), so an outage loses nothing
  the queue can hold, with delta temporality too;
* **bounded exit, quiet failure, accounting, no self-tracing** — as for
  spans (:mod:`.delivery`): a dead collector costs one report line and no
  wait, the exporters' retry messages are not printed, and exports run
  with instrumentation suppressed;
* **no hang at exit** — an observable instrument's callback that never
  returns cannot be interrupted, and holds the SDK's collection lock; the
  final collection (and a ``force_flush``) waits for it at most the export
  timeout, then gives up with one report line naming the instrument, and
  what was queued before is still delivered;
* **fork safety** — a fork waits for a collection in flight (up to the
  export timeout), so that the child does not inherit the SDK's collection
  lock held; a forked child collects on a thread of its own and
  exports through an exporter of its own (a new HTTP session or gRPC
  channel), made by the reader's exporter factory.

Reports go to the standard library logger ``pynector.telemetry.export``.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.metrics.export import MetricExportResult, MetricReader

from .._metrics.binding import running_callbacks
from .delivery import (
    BatchOptions,
    Delivery,
    DeliveryView,
    Sent,
    describe,
    logger,
    shutdown_exporter,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricsData

__all__ = ["DeliveringMetricReader", "MetricSender", "count_points"]

#: multiprocessing finalizers run highest first: the last collection is
#: offered before the delivery's own finalizer (-100) drains the queue.
_EXIT_PRIORITY = -50


def count_points(metrics_data: MetricsData) -> int:
    """How many data points *metrics_data* holds."""
    return sum(
        len(metric.data.data_points)
        for resource_metrics in metrics_data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
    )


class MetricSender:
    """Send collections through *exporter*, oldest first; those not taken are retried."""

    def __init__(self, exporter: MetricExporter, export_timeout: float) -> None:
        self.exporter = exporter
        self._timeout_millis = export_timeout * 1000

    def send(self, batch: list[MetricsData]) -> Sent[MetricsData]:
        for index, metrics_data in enumerate(batch):
            try:
                result = self.exporter.export(metrics_data, timeout_millis=self._timeout_millis)
            except Exception as error:  # a bug in an exporter: try again later
                return Sent(index, retry=batch[index:], error=describe(error))
            if result is not MetricExportResult.SUCCESS:
                return Sent(index, retry=batch[index:])
        return Sent(len(batch))

    def shutdown(self, timeout: float) -> None:
        shutdown_exporter(self.exporter, timeout)


class DeliveringMetricReader(DeliveryView["MetricsData"], MetricReader):
    """Collect every *interval* seconds and deliver to exporters made by *new_exporter*.

    See the module docs.  *destination* names where metrics go in warnings
    and reports; *fork_wait* is how long a fork waits for an export in
    flight (gRPC cannot fork during a call).
    """

    def __init__(
        self,
        new_exporter: Callable[[], MetricExporter],
        destination: str,
        *,
        interval: float = 60.0,
        export_timeout: float = 30.0,
        stall_timeout: float = 1.0,
        fork_wait: float = 0.0,
        max_collections: int = 16,
    ) -> None:
        exporter = new_exporter()
        super().__init__(
            preferred_temporality=getattr(exporter, "_preferred_temporality", None),
            preferred_aggregation=getattr(exporter, "_preferred_aggregation", None),
        )
        unused = [exporter]  # the first sender takes this one; a forked child makes its own

        def new_sender() -> MetricSender:
            return MetricSender(unused.pop() if unused else new_exporter(), export_timeout)

        options = BatchOptions(
            max_queue_size=max_collections,
            max_batch_size=1,  # each collection goes out as soon as it is made
            schedule_delay=0.0,
            export_timeout=export_timeout,
            stall_timeout=stall_timeout,
            fork_wait=fork_wait,
        )
        self._delivery: Delivery[MetricsData] = Delivery(
            new_sender,
            destination,
            options,
            what="metric collections",
            queue_setting=f"at most {max_collections} kept",
        )
        self._interval = interval
        self._export_timeout = export_timeout
        self._stopping = False  # shutdown has begun
        self._last: list[MetricsData] = []  # the final collection, made at shutdown
        self._collecting = threading.RLock()  # held while a collection runs
        self._fork_waited = False  # whether the fork under way holds _collecting
        self._start_collecting()
        before = weakref.WeakMethod(self._before_fork)
        parent = weakref.WeakMethod(self._after_fork_in_parent)
        child = weakref.WeakMethod(self._after_fork_in_child)
        os.register_at_fork(
            before=lambda: (method := before()) and method(),
            after_in_parent=lambda: (method := parent()) and method(),
            after_in_child=lambda: (method := child()) and method(),
        )

    @property
    def exporter(self) -> Any:
        """The exporter this process uses, once it has one."""
        sender = self._delivery.sender
        return sender.exporter if isinstance(sender, MetricSender) else None

    # -- collecting ----------------------------------------------------------------
    def _start_collecting(self) -> None:
        # Made anew after a fork: the parent's thread and lock are not the child's.
        self._wake = threading.Condition()
        thread = threading.Thread(target=self._run, name="pynector-metric-collect", daemon=True)
        thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                # wait_for, not wait: only shutdown or the interval's end wake it
                if self._wake.wait_for(lambda: self._stopping, self._interval):
                    return  # shutdown makes the last collection itself
            self._collect_now()

    def _collect_now(self) -> None:
        # (Not _collect: that is the callback the meter provider gives every reader.)
        with self._collecting, suppress(Exception):  # one that timed out: the next will do
            self.collect(timeout_millis=self._export_timeout * 1000)

    def _collect_within(self, seconds: float) -> bool:
        """Collect, waiting at most *seconds*; whether the collection finished.

        The collection runs on a thread of its own: a callback that never
        returns (or the collecting thread stuck in one, holding the SDK's
        lock) must not keep the caller, at exit the whole process, waiting.
        """
        thread = threading.Thread(
            target=self._collect_now, name="pynector-metric-collect-now", daemon=True
        )
        thread.start()
        thread.join(seconds)
        return not thread.is_alive()

    def _report_stuck(self, seconds: float) -> None:
        stuck = ", ".join(repr(name) for name in running_callbacks()) or "unknown"
        logger.warning(
            "pynector: the last metric collection for %s was abandoned after %gs: "
            "observable instrument callbacks did not return (%s); measurements since "
            "the previous collection were not delivered.",
            self._delivery.destination,
            seconds,
            stuck,
        )

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        if not count_points(metrics_data):
            return
        if self._stopping:  # the final collection: handed over with the shutdown
            self._last.append(metrics_data)
        else:
            self._delivery.offer(metrics_data)

    # -- flush and shutdown -------------------------------------------------------
    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Collect and deliver now; ``True`` only if everything queued was delivered in time."""
        if self._stopping or not self._collect_within(timeout_millis / 1000):
            return False
        return self._delivery.force_flush(timeout_millis)

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Collect one last time, deliver what the collector takes, report what it did not."""
        with self._wake:
            if self._stopping:
                return
            self._stopping = True
            self._wake.notify_all()
        last: list[MetricsData] = self._last
        if not self._collect_within(self._export_timeout):
            self._report_stuck(self._export_timeout)
            last = []  # a collection that finishes from now on is too late to deliver
        self._delivery.shutdown(last)

    # -- fork and multiprocessing --------------------------------------------------
    def _before_fork(self) -> None:
        """Let a collection in flight finish (up to the export timeout) before a fork.

        The SDK holds its collection lock while the callbacks run; a child
        forked then would inherit it held by a thread it does not have, and
        could never collect (its last interval lost, its exit kept waiting).
        """
        self._fork_waited = self._collecting.acquire(timeout=self._export_timeout)

    def _after_fork_in_parent(self) -> None:
        if self._fork_waited:
            self._collecting.release()

    def _after_fork_in_child(self) -> None:
        """Collect in the child too, and export its last interval however it leaves.

        A child made by :mod:`multiprocessing` leaves through ``os._exit``,
        which skips the meter provider's exit hook, so one of
        multiprocessing's finalizers shuts the reader down instead.
        """
        self._collecting = threading.RLock()  # the parent's is held by the forking thread
        if self._stopping:  # shut down before the fork: nothing to restart
            return
        self._start_collecting()
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            # Process._bootstrap clears the finalizers after the fork and then
            # runs the after-fork hooks: the finalizer is registered from there.
            util.register_after_fork(self, DeliveringMetricReader._finalize_at_exit)

    def _finalize_at_exit(self) -> None:
        util = sys.modules["multiprocessing.util"]
        util.Finalize(self, self.shutdown, exitpriority=_EXIT_PRIORITY)
