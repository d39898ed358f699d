"""configure_telemetry's meter provider: asked for, validated, never replacing the application's.

In-process, with the real SDK; the readers are the SDK's in-memory reader
or real exporters (console, OTLP to a port where nothing listens).
"""

from __future__ import annotations

import logging
import sys
import warnings
from typing import Any
from unittest.mock import patch

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_meter, get_telemetry
from pynector.telemetry._export.metric_readers import (
    build_metric_readers,
    preferred_aggregation,
    preferred_temporality,
)
from pynector.telemetry._export.metric_settings import resolve_metric_settings
from pynector.telemetry.exporters import OTLP
from support.metrics import collect, values

pytestmark = pytest.mark.requires_otel

meter = get_meter("tests.metric_config")
orders = meter.create_counter("config.orders")
latency = meter.create_histogram("config.latency", unit="ms")
tracer, _ = get_telemetry("tests.metric_config")


def global_meter_provider() -> Any:
    from opentelemetry import metrics

    return metrics.get_meter_provider()


def in_memory_reader() -> Any:
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    return InMemoryMetricReader()


def test_no_metrics_unless_asked() -> None:
    configure_telemetry(service_name="shop")
    assert type(global_meter_provider()).__name__ == "_ProxyMeterProvider"
    assert meter.is_enabled() is False


def test_a_reader_of_the_applications_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "region=eu")
    reader = in_memory_reader()
    configure_telemetry(service_name="shop", metric_exporters=[reader])
    orders.add(2, {"item": "book"})
    assert values(reader)["config.orders"] == {(("item", "book"),): 2}
    resource = reader.get_metrics_data().resource_metrics[0].resource
    assert resource.attributes["service.name"] == "shop"
    assert resource.attributes["region"] == "eu"


def test_the_applications_meter_provider_is_kept_with_one_warning(metric_reader: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        configure_telemetry(trace_enabled=False, metric_exporters=["console"])
        configure_telemetry(trace_enabled=False, metric_exporters=["console"])
        configure_telemetry(trace_enabled=False)  # no metrics asked: nothing to say
    assert [str(w.message) for w in caught if w.category is TelemetryWarning] == [
        "A meter provider is already set (MeterProvider); configure_telemetry keeps it and "
        "adds no metric exporters. Metrics go wherever that provider sends them."
    ]
    orders.add(1)
    assert values(metric_reader)["config.orders"] == {(): 1}


def test_sdk_disabled_sets_no_meter_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    configure_telemetry(metric_exporters=["console"])
    assert type(global_meter_provider()).__name__ == "_ProxyMeterProvider"


def test_console_prints_one_line_per_data_point(capsys: pytest.CaptureFixture[str]) -> None:
    configure_telemetry(metric_exporters=["console"])
    orders.add(3, {"item": "pen"})
    for value in (1, 7, 7):
        latency.record(value)
    assert global_meter_provider().force_flush()
    lines = capsys.readouterr().err.splitlines()  # stderr: stdout stays the program's
    assert lines == [
        "metric 'config.orders' item='pen' value=3",
        "metric 'config.latency' unit=ms count=3 sum=15 min=1 max=7 le5=1 le10=2",
    ]


@pytest.mark.parametrize(
    ("choice", "inside_span", "outside_span"), [("trace_based", 1, 0), ("always_off", 0, 0)]
)
def test_exemplars_follow_the_exemplar_filter(
    monkeypatch: pytest.MonkeyPatch, choice: str, inside_span: int, outside_span: int
) -> None:
    monkeypatch.setenv("OTEL_METRICS_EXEMPLAR_FILTER", choice)
    reader = in_memory_reader()
    configure_telemetry(trace_exporters=["none"], metric_exporters=[reader])
    latency.record(3, {"where": "outside"})
    with tracer.start_as_current_span("request") as span:
        latency.record(5, {"where": "inside"})
    points = {point.attributes["where"]: point for point in collect(reader)["config.latency"]}
    assert len(points["inside"].exemplars) == inside_span
    assert len(points["outside"].exemplars) == outside_span
    for exemplar in points["inside"].exemplars:
        context = span.get_span_context()  # type: ignore[attr-defined]
        assert (exemplar.trace_id, exemplar.span_id) == (context.trace_id, context.span_id)


def test_temporality_preferences() -> None:
    from opentelemetry.sdk.metrics import Counter, Histogram, ObservableCounter, UpDownCounter
    from opentelemetry.sdk.metrics.export import AggregationTemporality

    delta, cumulative = AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE
    assert set(preferred_temporality("cumulative").values()) == {cumulative}
    for choice, observable_counter in (("delta", delta), ("lowmemory", cumulative)):
        chosen = preferred_temporality(choice)
        assert (chosen[Counter], chosen[Histogram]) == (delta, delta)
        assert chosen[UpDownCounter] == cumulative
        assert chosen[ObservableCounter] == observable_counter


def test_exponential_histograms_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION",
        "base2_exponential_bucket_histogram",
    )
    assert preferred_aggregation("explicit_bucket_histogram") == {}
    (reader,) = build_metric_readers(resolve_metric_settings(exporters=["otlp"]))
    name, delivering = reader
    assert name == "otlp"
    try:
        assert "ExponentialBucketHistogramAggregation" in repr(
            list(delivering._instrument_class_aggregation.values())
        )
    finally:
        delivering.shutdown()


def test_settings_defaults() -> None:
    settings = resolve_metric_settings()
    shown = {name: setting.value for name, setting in settings.items()}
    assert shown == {
        "service_name": "unknown_service",
        "exporters": (),
        "export_interval": 60.0,
        "export_timeout": 30.0,
        "otlp_protocol": "http/protobuf",
        "otlp_endpoint": "http://localhost:4318/v1/metrics",
        "otlp_headers": {},
        "otlp_timeout": 10.0,
        "otlp_compression": "none",
        "otlp_insecure": False,
        "temporality": "cumulative",
        "histogram_aggregation": "explicit_bucket_histogram",
        "exemplar_filter": "trace_based",
        "internal_metrics": False,
        "console_stream": "stderr",
    }
    assert all(setting.source == "default" for _, setting in settings.items())


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "OTEL_METRICS_EXPORTER": "console, otlp",
        "OTEL_METRIC_EXPORT_INTERVAL": "1500",
        "OTEL_METRIC_EXPORT_TIMEOUT": "250",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "5000",
        "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT": "2000",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "api-key=s3cret",
        "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION": "gzip",
        "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "Delta",
        "OTEL_METRICS_EXEMPLAR_FILTER": "always_on",
        "OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    settings = resolve_metric_settings()
    assert settings.exporters.value == ("console", "otlp")
    assert (settings.export_interval.value, settings.export_timeout.value) == (1.5, 0.25)
    assert settings.otlp_endpoint.value == "http://collector:4318/v1/metrics"
    assert settings.otlp_timeout.value == 2.0
    assert settings.otlp_timeout.variable == "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT"
    assert settings.otlp_headers.value == {"api-key": "s3cret"}
    assert settings.otlp_headers.secret
    assert settings.otlp_compression.value == "gzip"
    assert settings.temporality.value == "delta"
    assert settings.exemplar_filter.value == "always_on"
    assert settings.internal_metrics.value is True


@pytest.mark.parametrize(
    ("variables", "endpoint"),
    [
        ({"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://c:4318/custom"}, "http://c:4318/custom"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, "http://c:4318/v1/metrics"),
        (
            {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"},
            "http://c:4317",
        ),
        ({"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc"}, "http://localhost:4317"),
    ],
)
def test_otlp_endpoint_rules(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], endpoint: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert resolve_metric_settings().otlp_endpoint.value == endpoint


def test_otlp_options_in_code_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://env:4318/v1/metrics")
    settings = resolve_metric_settings(
        exporters=[OTLP(endpoint="http://code:4317", protocol="grpc", timeout=3.0), "console"]
    )
    assert settings.exporters.value == ("otlp", "console")
    assert settings.exporters.source == "argument"
    assert (settings.otlp_endpoint.value, settings.otlp_protocol.value) == (
        "http://code:4317",
        "grpc",
    )
    assert settings.otlp_timeout.value == 3.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTEL_METRICS_EXPORTER", "prometheus"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "soon"),
        ("OTEL_METRIC_EXPORT_TIMEOUT", "-5"),
        ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes"),
        ("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "tdigest"),
        ("OTEL_METRICS_EXEMPLAR_FILTER", "random"),
        ("OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED", "perhaps"),
    ],
)
def test_a_malformed_value_warns_once_and_uses_the_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = resolve_metric_settings()
        resolve_metric_settings()
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert f"Ignoring {variable}={value!r}" in str(caught[0].message)
    setting = next(s for _, s in first.items() if s.variable == variable)
    assert setting.source == "default"


def test_unknown_names_among_known_ones_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_METRICS_EXPORTER", "console,statsd")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert resolve_metric_settings().exporters.value == ("console",)
    assert len(caught) == 1


def test_odd_metric_exporter_choices_are_skipped_with_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        configure_telemetry(metric_exporters=["console", "zipkin", 42])  # type: ignore[list-item]
    texts = sorted(str(w.message) for w in caught)
    assert len(texts) == 2, texts
    assert texts[0].startswith("Skipping 'zipkin' in metric_exporters")
    assert texts[1].startswith(
        "Skipping 42 in metric_exporters: expected a name (otlp, console, none), OTLP "
        "options, or an OpenTelemetry MetricExporter or MetricReader instance."
    )
    orders.add(1)
    assert global_meter_provider().force_flush()
    assert capsys.readouterr().err == "metric 'config.orders' value=1\n"


def test_no_valid_metric_exporter_sets_no_provider() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        configure_telemetry(metric_exporters="zipkin")
    (warning,) = caught
    assert str(warning.message).startswith("Ignoring metric_exporters='zipkin'")
    assert type(global_meter_provider()).__name__ == "_ProxyMeterProvider"


def test_a_missing_exporter_package_names_the_extra() -> None:
    module = "opentelemetry.exporter.otlp.proto.http.metric_exporter"
    with (
        patch.dict(sys.modules, {module: None}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        configure_telemetry(metric_exporters=["otlp"])
    (warning,) = caught
    assert 'pip install "pynector[otlp]"' in str(warning.message)


class Refusing:
    """A metric exporter that refuses every export, as a collector rejecting the data would."""

    def __new__(cls) -> Any:
        from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult

        class RefusingExporter(MetricExporter):
            def __init__(self) -> None:
                super().__init__()
                self.exports = 0

            def export(self, metrics_data: Any, timeout_millis: float = 10_000, **_: Any) -> Any:
                self.exports += 1
                return MetricExportResult.FAILURE

            def force_flush(self, timeout_millis: float = 10_000) -> bool:
                return True

            def shutdown(self, timeout_millis: float = 30_000, **_: Any) -> None:
                return None

        return RefusingExporter()


def test_an_exporter_of_the_applications_own_is_delivered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    exporter = Refusing()
    configure_telemetry(metric_exporters=[exporter])
    orders.add(1)
    with caplog.at_level(logging.WARNING, logger="pynector.telemetry.export"):
        global_meter_provider().shutdown()
    # The last interval, collected at shutdown, tried once, then given up and
    # reported in the one line.
    assert exporter.exports == 1
    assert [record.getMessage() for record in caplog.records] == [
        "pynector: 1 of 1 metric collections were not delivered to the application's "
        "RefusingExporter: 1 still queued when the collector stopped answering."
    ]


def test_a_failing_export_warns_once_and_flush_says_so(caplog: pytest.LogCaptureFixture) -> None:
    from opentelemetry.sdk.metrics import MeterProvider

    from pynector.telemetry._export.metric_delivery import DeliveringMetricReader

    exporter = Refusing()
    settings = resolve_metric_settings(exporters=[exporter])
    ((name, reader),) = build_metric_readers(settings, [exporter])
    assert name == "RefusingExporter"
    assert isinstance(reader, DeliveringMetricReader)
    provider = MeterProvider(metric_readers=[reader], shutdown_on_exit=False)
    counter = provider.get_meter("tests").create_counter("refused")
    with caplog.at_level(logging.WARNING, logger="pynector.telemetry.export"):
        counter.add(1)
        assert reader.force_flush() is False
        assert reader.force_flush() is False
        provider.shutdown()
        assert reader.force_flush() is False  # shut down: nothing exported any more
    # Each flush tries the oldest collection kept, and shutdown once more.
    assert exporter.exports >= 3
    assert reader.stats.accepted == reader.stats.abandoned == 3
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [
        "pynector: cannot export metric collections to the application's RefusingExporter "
        "(export failed); they are kept and retried in the background, and any that are lost "
        "will be reported at exit.",
        "pynector: 3 of 3 metric collections were not delivered to the application's "
        "RefusingExporter: 3 still queued when the collector stopped answering.",
    ]
