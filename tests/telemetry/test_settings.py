"""Resolution of every OTEL_* setting: argument > environment > default, bad values warn."""

from __future__ import annotations

import warnings

import pytest

from pynector.telemetry import TelemetryWarning
from pynector.telemetry._export.settings import Setting, resolve_settings
from pynector.telemetry.exporters import OTLP, Zipkin

MALFORMED = [
    ("OTEL_TRACES_EXPORTER", "jaeger", "exporters", ("otlp",)),
    ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "otlp_protocol", "http/protobuf"),
    ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "udp", "otlp_protocol", "http/protobuf"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "otlp_endpoint", None),
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x", "otlp_endpoint", None),
    ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon", "otlp_timeout", 10.0),
    ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5", "otlp_timeout", 10.0),
    ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli", "otlp_compression", "none"),
    ("OTEL_EXPORTER_OTLP_INSECURE", "perhaps", "otlp_insecure", False),
    ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "localhost:9411", "zipkin_endpoint", None),
    ("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "inf", "zipkin_timeout", 10.0),
    ("OTEL_TRACES_SAMPLER", "sometimes", "sampler", None),
    ("OTEL_TRACES_SAMPLER_ARG", "1.5", "sampler_arg", 1.0),
    ("OTEL_PROPAGATORS", " , ", "propagators", ("tracecontext", "baggage")),
    ("OTEL_BSP_SCHEDULE_DELAY", "fast", "bsp_schedule_delay", 5.0),
    ("OTEL_BSP_MAX_QUEUE_SIZE", "0", "bsp_max_queue_size", 32_768),
    ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1e3", "bsp_max_export_batch_size", 512),
    ("OTEL_BSP_EXPORT_TIMEOUT", "nan", "bsp_export_timeout", 30.0),
]


@pytest.mark.parametrize(("variable", "value", "field", "default"), MALFORMED)
def test_malformed_value_warns_once_and_uses_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str, default: object
) -> None:
    monkeypatch.setenv(variable, value)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        setting = getattr(resolve_settings(), field)
        getattr(resolve_settings(), field)  # resolving again does not warn again
    assert [w.category for w in record] == [TelemetryWarning]
    assert variable in str(record[0].message)
    assert repr(value.strip()) in str(record[0].message)
    assert setting.source == "default"
    if default is not None:
        assert setting.value == default


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER")  # set to "none" for every test by conftest
    settings = resolve_settings()
    assert settings.exporters == Setting(("otlp",), "default", "OTEL_TRACES_EXPORTER")
    assert settings.otlp_protocol.value == "http/protobuf"
    assert settings.otlp_endpoint.value == "http://localhost:4318/v1/traces"
    assert settings.otlp_timeout.value == 10.0
    assert settings.zipkin_endpoint.value == "http://localhost:9411/api/v2/spans"
    assert settings.bsp_max_queue_size.value == 32_768
    assert settings.propagators.value == ("tracecontext", "baggage")
    assert all(setting.source == "default" for _, setting in settings.items())


def test_environment_values_in_specification_units(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console, zipkin,none")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "2500")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "250")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr%3Dt,team=core")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    settings = resolve_settings()
    assert settings.exporters.value == ("console", "zipkin")
    assert settings.otlp_timeout == Setting(2.5, "environment", "OTEL_EXPORTER_OTLP_TIMEOUT")
    assert settings.bsp_schedule_delay.value == 0.25
    assert settings.otlp_headers.value == {"api-key": "s3cr=t", "team": "core"}
    assert settings.otlp_headers.secret
    assert settings.sampler.value == "parentbased_traceidratio"
    assert settings.sampler_arg.value == 0.25


@pytest.mark.parametrize(
    ("protocol", "variables", "expected"),
    [
        # The generic variable is a base URL: HTTP appends the signal path.
        ("http/protobuf", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, "http://c:4318/v1/traces"),
        ("http/protobuf", {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/base/"}, "http://c:4318/base/v1/traces"),
        # The signal-specific variable is used exactly as given.
        ("http/protobuf", {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/custom"}, "http://c:4318/custom"),
        (
            "http/protobuf",
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://generic:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://specific:4318/v1/traces",
            },
            "http://specific:4318/v1/traces",
        ),
        # The path goes before a query string.
        ("http/protobuf", {"OTEL_EXPORTER_OTLP_ENDPOINT": "https://gw/otlp?tenant=a"},
         "https://gw/otlp/v1/traces?tenant=a"),
        # gRPC takes either as is.
        ("grpc", {"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c:4317"}, "https://c:4317"),
        ("grpc", {}, "http://localhost:4317"),
    ],
)  # fmt: skip
def test_otlp_endpoint_rules(
    monkeypatch: pytest.MonkeyPatch, protocol: str, variables: dict[str, str], expected: str
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert resolve_settings().otlp_endpoint.value == expected


def test_signal_specific_variables_beat_generic_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "a=generic")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "a=specific")
    settings = resolve_settings()
    assert settings.otlp_protocol.variable == "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    assert settings.otlp_protocol.value == "http/protobuf"
    assert settings.otlp_headers.value == {"a": "specific"}


def test_arguments_beat_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "2500")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_off")
    settings = resolve_settings(
        exporters=[OTLP(endpoint="http://x:4318/v1/traces", timeout=3.0, protocol="http/protobuf"),
                   Zipkin(endpoint="http://z:9411/api/v2/spans")],
        sampler="always_on",
        propagators=["tracecontext"],
        service_name="svc",
    )  # fmt: skip
    assert settings.exporters == Setting(("otlp", "zipkin"), "argument")
    assert settings.otlp_endpoint == Setting("http://x:4318/v1/traces", "argument")
    assert settings.otlp_timeout == Setting(3.0, "argument")
    assert settings.otlp_protocol.value == "http/protobuf"
    assert settings.zipkin_endpoint.source == "argument"
    assert settings.sampler == Setting("always_on", "argument")
    assert settings.propagators == Setting(("tracecontext",), "argument")
    assert settings.service_name == Setting("svc", "argument")


def test_bad_argument_warns_and_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.warns(TelemetryWarning, match=r"OTLP\(protocol=...\)='smoke-signals'"):
        settings = resolve_settings(exporters=[OTLP(protocol="smoke-signals")])
    assert settings.otlp_protocol.value == "grpc"


def test_secret_header_values_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "team=core,api-key:topsecret")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        resolve_settings()
    assert record
    assert all("topsecret" not in str(w.message) for w in record)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("http://collector:4318/", "http://collector:4318/v1/traces"),
        ("https://gateway/otlp/spans", "https://gateway/otlp/spans"),
        ("http://collector:4318/v1/traces", "http://collector:4318/v1/traces"),
    ],
)
def test_otlp_endpoint_in_code_gets_the_path_only_when_it_has_none(given: str, used: str) -> None:
    settings = resolve_settings(exporters=[OTLP(endpoint=given)])
    assert settings.otlp_endpoint == Setting(used, "argument")


def test_grpc_endpoint_in_code_is_used_as_given() -> None:
    settings = resolve_settings(exporters=[OTLP(endpoint="http://collector:4317", protocol="grpc")])
    assert settings.otlp_endpoint == Setting("http://collector:4317", "argument")
