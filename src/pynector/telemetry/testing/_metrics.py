"""Get the measurements made during a capture, whoever set the meter provider.

OpenTelemetry lets a process set its global meter provider once, as for
tracer providers (see :mod:`._spans`).  Metrics differ from spans in one
way that decides the design: a metric reader *aggregates*, keeping running
totals from the moment it is added.  So each capture adds a fresh reader of
its own to the provider in place when it starts, and removes it when it
ends (``MeterProvider.add_metric_reader``): its totals start at zero and
hold exactly what was recorded while the capture was active, and the
provider's other readers (the application's exporters, another capture's
reader) aggregate on their own, undisturbed.

* no meter provider set yet: a test provider without readers is installed
  (the test harness is the application here).  Between captures it has no
  reader, so a measurement costs a call and is dropped at once;
* the OpenTelemetry SDK's ``MeterProvider`` set by the application (or by
  ``configure_telemetry`` in a ``conftest.py``): the capture's reader sits
  next to the application's readers for the duration;
* anything else (OpenTelemetry missing, another provider class, the SDK
  disabled, a provider already shut down, an SDK too old to add readers to
  a running provider): measurements cannot be observed, and the capture
  records why.

Instruments made before the capture existed, typically at import time
(``meter = get_meter(__name__)`` at module level), are captured too:
pynector's synchronous instruments look the provider up at each
measurement; observable ones were handed to OpenTelemetry's proxy
provider, which creates their real instruments once a provider is set; and
the SDK feeds a reader added late with every instrument's measurements.
Observable instruments' callbacks run whenever the capture's reader
collects: each time the test reads the metrics while the capture is
active, and once as it ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ._metric_points import instrument_kinds, metric_points
from ._missing import missing_opentelemetry

if TYPE_CHECKING:
    from ._capture import TelemetryCapture

__all__ = ["MetricTap", "metric_tap"]

_SDK = "opentelemetry.sdk.metrics"


class MetricTap:
    """A capture's own reader on *provider*: collect, start again, or leave."""

    def __init__(self, provider: Any) -> None:
        self._provider = provider
        self._reader = self._new_reader()

    def _new_reader(self) -> Any:
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader

        reader = InMemoryMetricReader()
        self._provider.add_metric_reader(reader)
        return reader

    def collect(self) -> list[dict[str, Any]]:
        """Everything recorded since the reader was added, as plain dicts (callbacks run now)."""
        data = self._reader.get_metrics_data()
        return metric_points(data, instrument_kinds(self._provider))

    def restart(self) -> None:
        """Start again from zero: a new reader replaces the old one."""
        old = self._reader
        self._reader = self._new_reader()
        self._provider.remove_metric_reader(old)

    def close(self) -> None:
        self._provider.remove_metric_reader(self._reader)


def _provider() -> tuple[Any, str | None]:
    """The SDK meter provider to read from (installing one if none is set), or why not."""
    missing = missing_opentelemetry(_SDK)
    if missing is not None:
        return None, missing
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.resources import Resource

    provider = metrics.get_meter_provider()
    if type(provider).__name__ == "_ProxyMeterProvider":  # the API's stand-in: none set
        resource = Resource.create({"service.name": "pynector-tests"})
        metrics.set_meter_provider(MeterProvider(resource=resource, shutdown_on_exit=False))
        provider = metrics.get_meter_provider()
    if not isinstance(provider, MeterProvider):
        return None, (
            f"the global meter provider is a {type(provider).__name__}, not the "
            "OpenTelemetry SDK's MeterProvider, so its measurements cannot be observed"
        )
    if getattr(provider, "_disabled", False):
        return None, "the OpenTelemetry SDK is disabled (OTEL_SDK_DISABLED=true)"
    if getattr(provider, "_shutdown", False):
        return None, "the global meter provider has been shut down"
    if not callable(getattr(provider, "add_metric_reader", None)):
        return None, (
            "this opentelemetry-sdk cannot add a reader to a meter provider that is already "
            "set (MeterProvider.add_metric_reader); upgrade opentelemetry-sdk"
        )
    return provider, None


@contextmanager
def metric_tap(capture: TelemetryCapture) -> Iterator[None]:
    """Give *capture* a reader of its own for the duration (or record why that is impossible)."""
    provider, capture.metrics_unavailable = _provider()
    if provider is None:
        yield
        return
    tap = MetricTap(provider)
    capture._read_metrics_from(tap)
    try:
        yield
    finally:
        try:
            capture._read_metrics_from(None)  # the last collection: what the capture keeps
        finally:
            tap.close()
