"""The meter provider :func:`~pynector.telemetry.configure_telemetry` sets up.

Only when metrics were asked for (``metric_exporters=`` or
``OTEL_METRICS_EXPORTER``): a process that did not ask keeps every
instrument a free no-op.  A meter provider the application set itself is
kept, with one warning, as for tracer providers.  Its exporters redact
secrets (see :mod:`.metric_redaction`).  The provider shares the tracer
provider's resource and is shut down after the exit hooks and after the
other signals' exports (see :mod:`.last_shutdown`), which exports the last
interval (see :mod:`.metric_delivery`), measurements made by exit hooks
and the other exports' final self-metrics included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from .._warnings import warn_once
from ..redaction import active_redactor
from .last_shutdown import shut_down_provider_last
from .metric_readers import build_metric_readers
from .metric_settings import MetricSettings, resolve_metric_settings
from .parsers import own_choices
from .resource import build_resource_attributes

__all__ = ["configure_metrics", "exemplar_filter"]


def exemplar_filter(choice: str) -> Any:
    """The SDK's filter for ``OTEL_METRICS_EXEMPLAR_FILTER``, or ``None`` if it has none."""
    try:
        from opentelemetry.sdk.metrics import (
            AlwaysOffExemplarFilter,
            AlwaysOnExemplarFilter,
            TraceBasedExemplarFilter,
        )
    except ImportError:  # an SDK from before exemplars
        return None
    if choice == "always_on":
        return AlwaysOnExemplarFilter()
    if choice == "always_off":
        return AlwaysOffExemplarFilter()
    return TraceBasedExemplarFilter()


def _asked(settings: MetricSettings, exporters: object) -> bool:
    return bool(settings.exporters.value or own_choices(exporters, "metrics"))


def configure_metrics(
    service_name: object,
    resource_attributes: Mapping[str, Any] | None,
    exporters: object,
    sdk_reads_nothing: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> bool:
    """Set a global meter provider exporting as configured; whether metrics are on.

    ``True`` also when the application's own meter provider was kept.
    *sdk_reads_nothing* hides the variables pynector parsed while the SDK
    builds its objects, which are handed every value explicitly.
    """
    settings = resolve_metric_settings(
        service_name=service_name,  # type: ignore[arg-type]
        exporters=exporters,  # type: ignore[arg-type]
    )
    if not _asked(settings, exporters):
        return False
    attributes = build_resource_attributes(settings.service_name, resource_attributes)
    with sdk_reads_nothing():
        from opentelemetry import metrics

        current = metrics.get_meter_provider()
        if type(current).__name__ != "_ProxyMeterProvider":
            warn_once(
                "meter-provider-exists",
                f"A meter provider is already set ({type(current).__name__}); "
                "configure_telemetry keeps it and adds no metric exporters. Metrics go "
                "wherever that provider sends them.",
            )
            return True
        readers = build_metric_readers(settings, exporters)
        if not readers:
            return False
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.resources import Resource

        options: dict[str, Any] = {}
        chosen_filter = exemplar_filter(settings.exemplar_filter.value)
        if chosen_filter is not None:
            options["exemplar_filter"] = chosen_filter
        provider = MeterProvider(
            metric_readers=[reader for _, reader in readers],
            resource=Resource.create(attributes),
            shutdown_on_exit=False,
            **options,
        )
    metrics.set_meter_provider(provider)
    shut_down_provider_last(provider, "metrics")
    from .metric_delivery import DeliveringMetricReader
    from .metric_redaction import receives_redacted

    if active_redactor() is not None and all(
        isinstance(reader, DeliveringMetricReader) or receives_redacted(reader)
        for _, reader in readers
    ):
        # Every reader redacts in its export thread, or receives collections
        # redacted: measurements need not be redacted one by one.
        from .._metrics.boundary import exporters_redact

        exporters_redact(provider)
    return True
