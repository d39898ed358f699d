"""Log export settings resolve like the trace ones: argument > logs variable > generic > default.

Pure resolution, no OpenTelemetry needed: these run in both configurations.
"""

from __future__ import annotations

import warnings

import pytest

from pynector.telemetry import TelemetryWarning
from pynector.telemetry._export.log_settings import LOG_VARIABLES, resolve_log_settings
from pynector.telemetry._export.settings import Setting
from pynector.telemetry.exporters import OTLP, Console, Zipkin


def test_nothing_leaves_the_process_by_default() -> None:
    settings = resolve_log_settings()
    assert settings.exporters == Setting((), "default", "OTEL_LOGS_EXPORTER")
    assert settings.otlp_protocol.value == "http/protobuf"
    assert settings.otlp_endpoint.value == "http://localhost:4318/v1/logs"
    assert settings.blrp_max_queue_size.value == 32_768
    assert settings.blrp_schedule_delay.value == 1.0
    assert settings.attribute_value_length_limit.value == 4096
    assert all(setting.source == "default" for _, setting in settings.items())


def test_exporters_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_LOGS_EXPORTER", "OTLP, console,none")
    assert resolve_log_settings().exporters == Setting(
        ("otlp", "console"), "environment", "OTEL_LOGS_EXPORTER"
    )


def test_exporters_argument_takes_names_and_option_objects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_LOGS_EXPORTER", "console")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "2000")
    settings = resolve_log_settings(
        exporters=[OTLP(endpoint="http://collector:4318", protocol="grpc"), Console("lines")]
    )
    assert settings.exporters == Setting(("otlp", "console"), "argument")
    assert settings.otlp_protocol == Setting("grpc", "argument")
    assert settings.otlp_endpoint == Setting("http://collector:4318", "argument")
    # An option the object leaves unset still comes from the environment.
    assert settings.otlp_timeout == Setting(2.0, "environment", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT")
    assert resolve_log_settings(exporters="none").exporters == Setting((), "argument")


SIGNAL_THEN_GENERIC = [
    ("PROTOCOL", "grpc", "http/protobuf", "otlp_protocol", "grpc"),
    ("HEADERS", "api-key=logs", "api-key=all", "otlp_headers", {"api-key": "logs"}),
    ("TIMEOUT", "2000", "5000", "otlp_timeout", 2.0),
    ("COMPRESSION", "gzip", "none", "otlp_compression", "gzip"),
    ("INSECURE", "true", "false", "otlp_insecure", True),
]


@pytest.mark.parametrize(("suffix", "specific", "generic", "field", "value"), SIGNAL_THEN_GENERIC)
def test_the_logs_variable_beats_the_generic_one(
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
    specific: str,
    generic: str,
    field: str,
    value: object,
) -> None:
    monkeypatch.setenv(f"OTEL_EXPORTER_OTLP_{suffix}", generic)
    monkeypatch.setenv(f"OTEL_EXPORTER_OTLP_LOGS_{suffix}", specific)
    monkeypatch.setenv(f"OTEL_EXPORTER_OTLP_TRACES_{suffix}", generic)
    setting = getattr(resolve_log_settings(), field)
    assert (setting.value, setting.variable) == (value, f"OTEL_EXPORTER_OTLP_LOGS_{suffix}")
    monkeypatch.delenv(f"OTEL_EXPORTER_OTLP_LOGS_{suffix}")
    setting = getattr(resolve_log_settings(), field)
    assert setting.variable == f"OTEL_EXPORTER_OTLP_{suffix}"


ENDPOINTS = [
    # (variable, value, protocol, resolved)
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "http/protobuf", "http://c:4318/v1/logs"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/", "http/protobuf", "http://c:4318/v1/logs"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "grpc", "http://c:4317"),
    (
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        "http://gw/otlp/logs",
        "http/protobuf",
        "http://gw/otlp/logs",
    ),
    ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://c:4318", "http/protobuf", "http://c:4318"),
]


@pytest.mark.parametrize(("variable", "value", "protocol", "resolved"), ENDPOINTS)
def test_endpoint_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, protocol: str, resolved: str
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    monkeypatch.setenv(variable, value)
    assert resolve_log_settings().otlp_endpoint == Setting(resolved, "environment", variable)


@pytest.mark.parametrize(
    ("endpoint", "resolved"),
    [
        ("http://c:4318", "http://c:4318/v1/logs"),
        ("https://gw/otlp/v1/logs", "https://gw/otlp/v1/logs"),
    ],
)
def test_endpoint_in_code_gets_the_logs_path_only_without_one(endpoint: str, resolved: str) -> None:
    settings = resolve_log_settings(exporters=[OTLP(endpoint=endpoint)])
    assert settings.otlp_endpoint == Setting(resolved, "argument")


MALFORMED = [
    ("OTEL_LOGS_EXPORTER", "zipkin", "exporters", ()),
    ("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json", "otlp_protocol", "http/protobuf"),
    ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "collector:4318", "otlp_endpoint", None),
    ("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "1e13", "otlp_timeout", 10.0),
    ("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "brotli", "otlp_compression", "none"),
    ("OTEL_EXPORTER_OTLP_LOGS_INSECURE", "perhaps", "otlp_insecure", False),
    ("OTEL_BLRP_SCHEDULE_DELAY", "fast", "blrp_schedule_delay", 1.0),
    ("OTEL_BLRP_MAX_QUEUE_SIZE", "0", "blrp_max_queue_size", 32_768),
    ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "1e3", "blrp_max_export_batch_size", 512),
    ("OTEL_BLRP_EXPORT_TIMEOUT", "nan", "blrp_export_timeout", 30.0),
    ("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "-1", "attribute_value_length_limit", 4096),
]


@pytest.mark.parametrize(("variable", "value", "field", "default"), MALFORMED)
def test_malformed_value_warns_once_and_uses_the_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, default: object
) -> None:
    monkeypatch.setenv(variable, value)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        setting = getattr(resolve_log_settings(), field)
        getattr(resolve_log_settings(), field)  # resolving again does not warn again
    assert [w.category for w in record] == [TelemetryWarning]
    assert variable in str(record[0].message)
    assert setting.source == "default"
    assert default is None or setting.value == default


def test_variables_it_reads_are_listed_for_hiding_from_the_sdk() -> None:
    assert "OTEL_LOGS_EXPORTER" in LOG_VARIABLES
    assert {f"OTEL_EXPORTER_OTLP_LOGS_{s}" for s in ("ENDPOINT", "TIMEOUT")} <= set(LOG_VARIABLES)


def test_a_trace_only_exporter_is_skipped_with_a_warning() -> None:
    expected = "Skipping <Zipkin object> in log_exporters"
    with pytest.warns(TelemetryWarning, match=expected) as record:
        settings = resolve_log_settings(exporters=["otlp", Zipkin()])  # type: ignore[list-item]
    assert len(record) == 1
    assert "Zipkin options belong in trace_exporters" in str(record[0].message)
    assert settings.exporters == Setting(("otlp",), "argument")


def test_a_bad_argument_falls_back_to_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_LOGS_EXPORTER", "console")
    with pytest.warns(TelemetryWarning, match="log_exporters") as record:
        settings = resolve_log_settings(exporters=["jaeger"])
    assert "OTEL_LOGS_EXPORTER='console'" in str(record[0].message)
    assert settings.exporters == Setting(("console",), "environment", "OTEL_LOGS_EXPORTER")


def test_console_stream_from_the_options_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "stderr")
    settings = resolve_log_settings(exporters=[Console(stream="stdout")])
    assert settings.console_stream == Setting("stdout", "argument")


def test_value_length_limit_for_log_records_then_for_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "100")
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "7")
    limit = resolve_log_settings().attribute_value_length_limit
    assert (limit.value, limit.variable) == (100, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")
    monkeypatch.setenv("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "50")
    limit = resolve_log_settings().attribute_value_length_limit
    assert (limit.value, limit.variable) == (50, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT")
