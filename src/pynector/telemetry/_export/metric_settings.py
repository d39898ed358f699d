"""The effective metrics export configuration, and where each value came from.

Resolved like the trace settings in :mod:`.settings`, with the same
helpers and parsers (and so the same range checks): an argument to
:func:`~pynector.telemetry.configure_telemetry` beats the ``OTEL_*``
variable, which beats the default, and a bad value costs one
:class:`~pynector.telemetry.TelemetryWarning` and falls back to the next
source.  The OTLP options read the metrics-specific variable first
(``OTEL_EXPORTER_OTLP_METRICS_TIMEOUT``), then the generic one.

Defaults follow the OpenTelemetry specification, except one: with
``OTEL_METRICS_EXPORTER`` unset no metrics are exported (the specification
says ``otlp``), so that turning on tracing does not start sending metrics
nobody asked for, and a process that never asked pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..exporters import OTLP, MetricExporterChoice
from .environment import InvalidValue, parse_bool
from .parsers import (
    EXPORT_TIMEOUT,
    METRIC_EXPORTERS,
    Duration,
    choice,
    exporter_choices,
    metric_exporter_list,
    text,
)
from .settings import CONSOLE_STREAMS, Setting, SettingsItems, _resolve, resolve_otlp

__all__ = [
    "METRIC_EXPORTERS",
    "METRIC_VARIABLES",
    "MetricExporterChoice",
    "MetricSettings",
    "resolve_metric_settings",
]

TEMPORALITIES = ("cumulative", "delta", "lowmemory")
HISTOGRAM_AGGREGATIONS = ("explicit_bucket_histogram", "base2_exponential_bucket_histogram")
EXEMPLAR_FILTERS = ("trace_based", "always_on", "always_off")

#: How often metrics are exported: at least every 10 ms, at most hourly.
EXPORT_INTERVAL = Duration(minimum=0.01, maximum=3600.0)

#: Every variable :func:`resolve_metric_settings` reads (besides the generic
#: OTLP ones of :data:`~.settings.VARIABLES`).  OpenTelemetry's SDK is handed
#: the resolved values explicitly and must not parse these again.
METRIC_VARIABLES = (
    "OTEL_METRICS_EXPORTER",
    "OTEL_METRIC_EXPORT_INTERVAL",
    "OTEL_METRIC_EXPORT_TIMEOUT",
    *(
        f"OTEL_EXPORTER_OTLP_METRICS_{suffix}"
        for suffix in ("PROTOCOL", "ENDPOINT", "HEADERS", "TIMEOUT", "COMPRESSION", "INSECURE")
    ),
    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
    "OTEL_METRICS_EXEMPLAR_FILTER",
    "OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED",
)


@dataclass(frozen=True)
class MetricSettings(SettingsItems):
    """Everything that decides where metrics go, how often, and in which form."""

    service_name: Setting[str]
    exporters: Setting[tuple[str, ...]]
    export_interval: Setting[float]
    export_timeout: Setting[float]
    otlp_protocol: Setting[str]
    otlp_endpoint: Setting[str]
    otlp_headers: Setting[dict[str, str]]
    otlp_timeout: Setting[float]
    otlp_compression: Setting[str]
    otlp_insecure: Setting[bool]
    temporality: Setting[str]
    histogram_aggregation: Setting[str]
    exemplar_filter: Setting[str]
    internal_metrics: Setting[bool]
    console_stream: Setting[str]


def _otlp_options(exporters: object) -> OTLP:
    try:
        entries = exporter_choices(exporters) if exporters is not None else []
    except InvalidValue:  # resolving the exporters warns about it
        entries = []
    return next((entry for entry in entries if isinstance(entry, OTLP)), OTLP())


def resolve_metric_settings(
    *,
    service_name: str | None = None,
    exporters: Sequence[MetricExporterChoice] | MetricExporterChoice | None = None,
) -> MetricSettings:
    """Resolve every metrics setting from arguments, the environment and defaults.

    Options of an :class:`~pynector.telemetry.exporters.OTLP` in *exporters*
    count as arguments.  Never raises, whatever the arguments are.
    """
    return MetricSettings(
        service_name=_resolve(
            service_name, ["OTEL_SERVICE_NAME"], text, "unknown_service", label="service_name"
        ),
        exporters=_resolve(
            exporters,
            ["OTEL_METRICS_EXPORTER"],
            metric_exporter_list,
            (),
            label="metric_exporters",
        ),
        export_interval=_resolve(
            None, ["OTEL_METRIC_EXPORT_INTERVAL"], EXPORT_INTERVAL.from_environment, 60.0
        ),
        export_timeout=_resolve(
            None, ["OTEL_METRIC_EXPORT_TIMEOUT"], EXPORT_TIMEOUT.from_environment, 30.0
        ),
        **resolve_otlp(_otlp_options(exporters), "metrics"),
        temporality=_resolve(
            None,
            ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"],
            choice(TEMPORALITIES),
            "cumulative",
        ),
        histogram_aggregation=_resolve(
            None,
            ["OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION"],
            choice(HISTOGRAM_AGGREGATIONS),
            "explicit_bucket_histogram",
        ),
        exemplar_filter=_resolve(
            None, ["OTEL_METRICS_EXEMPLAR_FILTER"], choice(EXEMPLAR_FILTERS), "trace_based"
        ),
        internal_metrics=_resolve(
            None, ["OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED"], parse_bool, False
        ),
        console_stream=_resolve(
            None, ["PYNECTOR_CONSOLE_STREAM"], choice(CONSOLE_STREAMS), "stderr"
        ),
    )
