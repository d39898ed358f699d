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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from ..exporters import OTLP
from .environment import InvalidEntries, InvalidValue, parse_bool
from .parsers import EXPORT_TIMEOUT, Duration, choice, text
from .settings import CONSOLE_STREAMS, Setting, SettingsItems, _resolve, resolve_otlp

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader

__all__ = [
    "METRIC_EXPORTERS",
    "METRIC_VARIABLES",
    "MetricExporterChoice",
    "MetricSettings",
    "own_choices",
    "resolve_metric_settings",
]

METRIC_EXPORTERS = ("otlp", "console", "none")
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

#: What ``metric_exporters`` accepts: a name, :class:`~pynector.telemetry.exporters.OTLP`
#: options, or an OpenTelemetry ``MetricReader`` or ``MetricExporter`` of the
#: application's own (an ``InMemoryMetricReader`` in tests, say).
MetricExporterChoice: TypeAlias = "str | OTLP | MetricReader | MetricExporter"


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


def _entries(raw: object) -> list[object]:
    """One choice, ``"a,b"``, or a list of choices, as a list of entries.

    Raises only :class:`InvalidValue`, for an iterable that cannot be iterated.
    """
    if isinstance(raw, str):
        return [name for name in raw.split(",") if name.strip()]
    if isinstance(raw, Iterable):
        try:
            return list(raw)
        except Exception:  # an iterable that fails to iterate
            raise InvalidValue("a list of metric exporters") from None
    return [raw]  # one option object, reader or exporter


def metric_exporter_list(raw: object) -> tuple[str, ...]:
    """Metric exporter names among :data:`METRIC_EXPORTERS`, ``none`` left out.

    :class:`~pynector.telemetry.exporters.OTLP` options count as ``otlp``;
    an application's own readers and exporters are not names (they are
    used as they are, see :mod:`.metric_readers`) and are skipped here.
    """
    names: list[str] = []
    bad: list[object] = []
    for entry in _entries(raw):
        if isinstance(entry, OTLP):
            names.append("otlp")
        elif isinstance(entry, str) and entry.strip().lower() in METRIC_EXPORTERS:
            names.append(entry.strip().lower())
        elif isinstance(entry, str):
            bad.append(entry)
    expected = "a comma-separated list of " + ", ".join(METRIC_EXPORTERS)
    if bad and not names:
        raise InvalidValue(expected)
    value = tuple(name for name in dict.fromkeys(names) if name != "none")
    if bad:
        raise InvalidEntries("one of " + ", ".join(METRIC_EXPORTERS), value, bad)
    return value


def _all_entries(exporters: object) -> list[object]:
    """Every entry of *exporters*; none if it cannot be iterated (resolving warns)."""
    try:
        return _entries(exporters) if exporters is not None else []
    except InvalidValue:  # resolving the exporters warns about it
        return []


def own_choices(exporters: object) -> list[object]:
    """The entries of *exporters* that are not names or OTLP options: the
    application's own readers and exporters (checked by :mod:`.metric_readers`)."""
    return [entry for entry in _all_entries(exporters) if not isinstance(entry, (str, OTLP))]


def _otlp_options(exporters: object) -> OTLP:
    return next((entry for entry in _all_entries(exporters) if isinstance(entry, OTLP)), OTLP())


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
