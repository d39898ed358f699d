"""A periodic metric reader that exports the last interval at exit and never holds exit up.

OpenTelemetry's ``PeriodicExportingMetricReader`` collects every
``OTEL_METRIC_EXPORT_INTERVAL`` and once more at shutdown, but with a dead
collector that last export retries for the exporter's whole timeout while
the process waits (up to 30 seconds), every failed attempt is logged, and
a child started by :mod:`multiprocessing` (which leaves through
``os._exit``) never exports its last interval.  :class:`DeliveringMetricReader`
keeps the same model (one background thread, a collection per interval
and a final one) and adds what :class:`~.delivery.DeliveringSpanProcessor`
gives spans:

* **nothing lost at exit** — the final collection runs at shutdown, which
  the meter provider's exit hook starts without any call from the
  application; in a :mod:`multiprocessing` child a ``Finalize`` hook does
  it, and after ``os.fork`` the export thread is started again;
* **bounded exit** — the final export may take one second (five usual
  export times for a collector known to be slow); then the exporter is
  interrupted and the interval reported as lost;
* **quiet failure** — the exporter's retry messages are captured; the
  first failure is one warning, and what was not delivered is one line at
  shutdown;
* **no self-tracing** — exports run with instrumentation suppressed, so an
  instrumented HTTP or gRPC client does not trace the exporter's calls.

Reports go to the standard library logger ``pynector.telemetry.export``.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY, attach, detach, set_value
from opentelemetry.sdk.metrics.export import MetricExportResult, MetricReader

from .exporter_logs import capture_exporter_logs, exporting_for

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricsData

__all__ = ["DeliveringMetricReader", "MetricDeliveryStats", "count_points"]

logger = logging.getLogger("pynector.telemetry.export")


class _LastExporterError:
    """Receives what the exporter logs about this reader's own exports (see
    :mod:`.exporter_logs`): the latest message, for the report."""

    def __init__(self) -> None:
        self.message: str | None = None

    def exporter_logged(self, message: str, retrying: bool) -> None:
        self.message = message


#: Run before multiprocessing's own finalizers that have no priority.
_EXIT_PRIORITY = 10


@dataclass
class MetricDeliveryStats:
    """What happened to the collections handed to one reader's exporter."""

    exports: int = 0
    failed_exports: int = 0
    points_exported: int = 0
    points_failed: int = 0
    points_abandoned: int = 0

    @property
    def points_lost(self) -> int:
        return self.points_failed + self.points_abandoned


def count_points(metrics_data: MetricsData) -> int:
    """How many data points *metrics_data* holds."""
    return sum(
        len(metric.data.data_points)
        for resource_metrics in metrics_data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
    )


class DeliveringMetricReader(MetricReader):
    """Collect every *interval* seconds and export to *exporter*; see the module docs.

    *destination* names where metrics go (``OTLP grpc http://host:4317``)
    in warnings and reports.
    """

    def __init__(
        self,
        exporter: MetricExporter,
        destination: str,
        *,
        interval: float = 60.0,
        export_timeout: float = 30.0,
        stall_timeout: float = 1.0,
    ) -> None:
        super().__init__(
            preferred_temporality=getattr(exporter, "_preferred_temporality", None),
            preferred_aggregation=getattr(exporter, "_preferred_aggregation", None),
        )
        self.exporter = exporter
        self.destination = destination
        self._interval = interval
        self._export_timeout = export_timeout
        self._stall_timeout = stall_timeout
        self._stopping = False  # shutdown has begun: the worker exports one last time
        self._start_worker()
        capture_exporter_logs()
        reference = weakref.WeakMethod(self._after_fork_in_child)
        os.register_at_fork(after_in_child=lambda: (method := reference()) and method())

    def _start_worker(self) -> None:
        # Everything the worker shares, made anew: after a fork, a lock may
        # have been held by a thread that no longer exists.
        self.stats = MetricDeliveryStats()
        self._condition = threading.Condition()
        self._export_lock = threading.Lock()
        self._in_flight = 0  # data points being exported right now
        self._last_ok = True  # whether the latest export was accepted
        self._abandoned = False
        self._export_seconds = 0.0  # moving average of successful exports
        self._healthy: bool | None = None  # unknown until the first export
        self._warned = False
        self._last_error: str | None = None  # why the latest failed export failed
        self._worker = threading.Thread(
            target=self._run, name="pynector-metric-export", daemon=True
        )
        self._worker.start()

    # -- fork and multiprocessing --------------------------------------------
    def _after_fork_in_child(self) -> None:
        """The export thread did not survive the fork: start another one.

        A child made by :mod:`multiprocessing` leaves through ``os._exit``,
        which skips the exit hook that would export its last interval, so
        one of multiprocessing's finalizers does it instead.
        """
        if self._stopping:  # shut down before the fork: nothing to restart
            return
        self._start_worker()
        util = sys.modules.get("multiprocessing.util")
        if util is not None:
            # Process._bootstrap clears the finalizers after the fork and then
            # runs the after-fork hooks, so register the finalizer from there.
            util.register_after_fork(self, DeliveringMetricReader._finalize_at_exit)

    def _finalize_at_exit(self) -> None:
        util = sys.modules["multiprocessing.util"]
        util.Finalize(self, self.shutdown, exitpriority=_EXIT_PRIORITY)

    # -- the worker ----------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._condition:
                # wait_for, not wait: only shutdown or the interval's end wake it
                self._condition.wait_for(lambda: self._stopping, self._interval)
                final = self._stopping
            self._collect_and_export()
            if final:
                return

    def _collect_and_export(self, timeout: float | None = None) -> bool:
        """Collect and export now; whether the export (if any) was accepted."""
        try:
            self.collect(timeout_millis=(timeout or self._export_timeout) * 1000)
        except Exception as error:  # a failing callback or view must not kill the worker
            self._last_error = repr(error)
            return False
        return self._last_ok

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        points = count_points(metrics_data)
        if not points:
            self._last_ok = True
            return
        token = attach(set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
        try:
            with self._export_lock:
                with self._condition:
                    self._in_flight = points
                started = time.monotonic()
                logged = _LastExporterError()  # what the exporter logs now is about this export
                own_export = exporting_for.set(logged)
                try:
                    ok = (
                        self.exporter.export(metrics_data, timeout_millis=timeout_millis)
                        is MetricExportResult.SUCCESS
                    )
                    error = logged.message or "export failed"
                except Exception as exception:  # an exporter bug must not kill the worker
                    ok, error = False, repr(exception)
                finally:
                    exporting_for.reset(own_export)
                self._record(points, ok, time.monotonic() - started, error)
        finally:
            detach(token)

    def _record(self, points: int, ok: bool, seconds: float, error: str) -> None:
        with self._condition:
            self._in_flight = 0
            self._last_ok = ok
            if self._abandoned:  # counted as abandoned by shutdown already
                return
            self.stats.exports += 1
            if ok:
                self.stats.points_exported += points
                self._healthy = True
                self._export_seconds = 0.8 * self._export_seconds + 0.2 * seconds
            else:
                self.stats.failed_exports += 1
                self.stats.points_failed += points
                self._healthy = False
                self._last_error = error
            warn_now = not ok and not self._warned and not self._stopping
            self._warned = self._warned or warn_now
        if warn_now:
            logger.warning(
                "pynector: cannot export metrics to %s (%s); they will be retried at the "
                "next interval, and what is lost will be reported at exit.",
                self.destination,
                error,
            )

    # -- flush and shutdown -------------------------------------------------------
    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Collect and export now; ``True`` only if the export was accepted."""
        with self._condition:
            if self._stopping:
                return False
        return self._collect_and_export(min(self._export_timeout, timeout_millis / 1000))

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """Export the last interval, waiting as long as the collector keeps up; see module docs."""
        with self._condition:
            if self._stopping:
                return
            self._stopping = True
            self._condition.notify_all()
        stall = self._stall_timeout
        if self._healthy:
            stall = max(stall, 5 * self._export_seconds)
        self._worker.join(min(stall, timeout_millis / 1000))
        abandoned = self._worker.is_alive()
        if abandoned:
            with self._condition:
                self._abandoned = True
                self.stats.points_abandoned += self._in_flight
        self._shutdown_exporter(wait=0.0 if abandoned else stall)
        if abandoned:
            self._worker.join(0.2)
        self._report(abandoned)

    def _shutdown_exporter(self, wait: float) -> None:
        """Shut the exporter down, interrupting its retries, within *wait* seconds."""
        shutdown: Any = self.exporter.shutdown
        try:
            parameters = inspect.signature(shutdown).parameters
            if "timeout_millis" in parameters:
                shutdown(timeout_millis=wait * 1000)
            elif "timeout" in parameters:
                shutdown(timeout=wait * 1000)
            else:
                shutdown()
        except Exception:  # the process is leaving; nothing useful to raise
            pass

    def _report(self, abandoned: bool) -> None:
        stats = self.stats
        if not (stats.points_failed or abandoned):
            return
        reasons = []
        if stats.points_failed:
            reasons.append(
                f"{stats.points_failed} data points in {stats.failed_exports} of "
                f"{stats.exports} exports not accepted ({self._last_error})"
            )
        if abandoned:
            points = f" ({stats.points_abandoned} data points)" if stats.points_abandoned else ""
            reasons.append(
                f"the last interval{points} was abandoned when the collector stopped answering"
            )
        logger.warning(
            "pynector: metrics were not delivered to %s: %s.", self.destination, "; ".join(reasons)
        )
