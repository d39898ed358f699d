"""Turn resolved metric settings into metric readers, one per exporter.

Like the span side (:mod:`.span_processors`): each exporter's package is
optional, and a missing one costs one warning naming the extra to install
while the others keep working.  Every exporter, the console included, is
driven by a :class:`~.metric_delivery.DeliveringMetricReader`.  An
application's own ``MetricReader`` (an ``InMemoryMetricReader`` in tests)
is used as it is, receiving each collection redacted; its own
``MetricExporter`` gets a delivering reader (see :mod:`.own_exporters`).

The temporality preference and the default histogram aggregation are
worked out here and handed to the exporters explicitly, so that the
exporters never read (and complain about) the variables themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._warnings import warn_once
from ..redaction import active_redactor
from .console import LazyStream
from .endpoints import mask_url
from .metric_console import format_console_metrics
from .metric_settings import MetricSettings
from .named_exporters import Factories, build_named
from .own_exporters import (
    OWN_FORK_WAIT,
    own_destination,
    own_failed,
    role_of,
    same_in_every_process,
)
from .parsers import own_choices

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader

__all__ = ["build_metric_readers", "preferred_aggregation", "preferred_temporality"]


def preferred_temporality(choice: str) -> dict[type, Any]:
    """Temporality per instrument class, for ``..._METRICS_TEMPORALITY_PREFERENCE`` *choice*.

    ``delta`` reports counters, observable counters and histograms as
    deltas; ``lowmemory`` does so for synchronous counters and histograms
    only; up-down counters stay cumulative in both, as the specification says.
    """
    from opentelemetry.sdk.metrics import (
        Counter,
        Histogram,
        ObservableCounter,
        ObservableGauge,
        ObservableUpDownCounter,
        UpDownCounter,
    )
    from opentelemetry.sdk.metrics.export import AggregationTemporality

    delta, cumulative = AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE
    deltas: dict[str, set[type]] = {
        "delta": {Counter, ObservableCounter, Histogram},
        "lowmemory": {Counter, Histogram},
    }
    classes = (
        Counter,
        UpDownCounter,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
    )
    chosen = deltas.get(choice, set())
    return {kind: delta if kind in chosen else cumulative for kind in classes}


def preferred_aggregation(choice: str) -> dict[type, Any]:
    """Histograms' aggregation for ``OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION``.

    Explicit buckets are the SDK's default (and keep each histogram's
    advisory boundaries), so only the exponential choice is spelt out.
    """
    if choice != "base2_exponential_bucket_histogram":
        return {}
    from opentelemetry.sdk.metrics import Histogram
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation

    return {Histogram: ExponentialBucketHistogramAggregation()}


def _delivering(
    settings: MetricSettings,
    new_exporter: Callable[[], MetricExporter],
    destination: str,
    *,
    fork_wait: float = 0.0,
) -> MetricReader:
    """A delivering reader; in each process, its exporter comes from *new_exporter*."""
    from .metric_delivery import DeliveringMetricReader

    make = new_exporter
    if active_redactor() is not None:  # secrets never leave: redacted in the export thread
        from .metric_redaction import RedactingMetricExporter

        def make() -> MetricExporter:
            return RedactingMetricExporter(new_exporter())

    return DeliveringMetricReader(
        make,
        destination,
        interval=settings.export_interval.value,
        export_timeout=settings.export_timeout.value,
        fork_wait=fork_wait,
    )


def _console(settings: MetricSettings) -> MetricReader:
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

    stream: Any = LazyStream(settings.console_stream.value)
    temporality = preferred_temporality(settings.temporality.value)
    aggregation = preferred_aggregation(settings.histogram_aggregation.value)
    return _delivering(
        settings,
        lambda: ConsoleMetricExporter(
            out=stream,
            formatter=format_console_metrics,
            preferred_temporality=temporality,
            preferred_aggregation=aggregation,
        ),
        "the console",
    )


def _otlp(settings: MetricSettings) -> MetricReader:
    endpoint = settings.otlp_endpoint.value
    gzip = settings.otlp_compression.value == "gzip"
    timeout = settings.otlp_timeout.value
    options: dict[str, Any] = {
        "endpoint": endpoint,
        "timeout": timeout,
        "preferred_temporality": preferred_temporality(settings.temporality.value),
        "preferred_aggregation": preferred_aggregation(settings.histogram_aggregation.value),
    }
    new_exporter: Callable[[], MetricExporter]
    if settings.otlp_protocol.value == "grpc":
        import grpc
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

        from .grpc_fork import in_this_process_only_if_safe

        # gRPC metadata keys must be lower-case; vendors document "Authorization=...".
        metadata = {key.lower(): value for key, value in settings.otlp_headers.value.items()}
        insecure = settings.otlp_insecure.value or endpoint.startswith("http://")
        compression = grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression
        new_exporter = in_this_process_only_if_safe(
            lambda: OTLPMetricExporter(
                insecure=insecure, headers=metadata, compression=compression, **options
            )
        )
    else:
        from opentelemetry.exporter.otlp.proto.http import Compression
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
            OTLPMetricExporter as OTLPHttpMetricExporter,
        )

        headers = settings.otlp_headers.value
        http_compression = Compression.Gzip if gzip else Compression.NoCompression
        new_exporter = lambda: OTLPHttpMetricExporter(  # noqa: E731 - a factory, like the other
            headers=headers, compression=http_compression, **options
        )
    destination = f"OTLP {settings.otlp_protocol.value} {mask_url(endpoint)}"
    # A fork waits for an export in flight: gRPC cannot fork during a call.
    return _delivering(settings, new_exporter, destination, fork_wait=timeout)


#: exporter name -> (factory, the extra that installs its package)
_FACTORIES: Factories[MetricSettings, MetricReader] = {
    "console": (_console, "observability"),
    "otlp": (_otlp, "otlp"),
}


def _registered_elsewhere(reader: object) -> bool:
    """Whether another meter provider holds *reader* (the SDK would raise on it,
    with the reader's ``repr`` in the message)."""
    from opentelemetry.sdk.metrics import MeterProvider

    try:
        return reader in getattr(MeterProvider, "_all_metric_readers", ())
    except Exception:  # a reader that cannot be hashed or compared: let the SDK decide
        return False


def _shut_down_quietly(reader: MetricReader) -> None:
    """Make a failure of *reader*'s ``shutdown`` one warning, not a traceback at exit.

    The reader is the SDK's to call, so its method is replaced on the
    instance only (as :func:`.metric_redaction.redact_what_it_receives` does).
    """
    shutdown = reader.shutdown

    def shut_down(timeout_millis: float = 30_000, **kwargs: Any) -> None:
        try:
            shutdown(timeout_millis=timeout_millis, **kwargs)
        except Exception as error:
            own_failed(reader, "shutdown", error)

    reader.shutdown = shut_down  # type: ignore[method-assign]


def _own_readers(settings: MetricSettings, exporters: object) -> list[tuple[str, MetricReader]]:
    """The application's own readers (as given) and exporters (delivered) among *exporters*."""
    from .metric_redaction import redact_what_it_receives

    readers: list[tuple[str, MetricReader]] = []
    for choice in own_choices(exporters, "metrics"):
        name = type(choice).__name__
        if role_of(type(choice)) == ("metrics", 1):  # a MetricReader
            if _registered_elsewhere(choice):
                warn_once(
                    f"metric-reader-taken:{id(choice)}",
                    f"The application's {name} is already registered with another meter "
                    "provider, and a MetricReader serves only one; it is left out.",
                )
                continue
            redact_what_it_receives(choice)  # type: ignore[arg-type]
            _shut_down_quietly(choice)  # type: ignore[arg-type]
            readers.append((name, choice))  # type: ignore[arg-type]
        else:
            delivering = _delivering(
                settings,
                same_in_every_process(choice),  # type: ignore[arg-type]
                own_destination(choice),
                fork_wait=OWN_FORK_WAIT,
            )
            readers.append((name, delivering))
    return readers


def build_metric_readers(
    settings: MetricSettings, exporters: object = None
) -> list[tuple[str, MetricReader]]:
    """One metric reader per configured exporter, in order, then the application's own.

    A missing package produces one warning and its exporter is skipped; the
    rest still work.
    """
    readers = build_named(
        settings.exporters.value,
        _FACTORIES,
        settings,
        kind="metric",
        carries_on="Metrics continue",
        warning_key="metric-exporter-missing",
    )
    return readers + _own_readers(settings, exporters)
