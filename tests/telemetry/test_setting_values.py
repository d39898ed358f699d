"""Every setting is checked, whether it comes as an argument or a variable.

A bad value never raises: it gives one warning, naming the argument or the
variable and the value (shortened, credentials masked), and the next source
is used.  The OpenTelemetry SDK never parses the same variable a second
time, so there is no second message either.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from pynector.telemetry._export.settings import ExportSettings, resolve_settings
from pynector.telemetry.exporters import OTLP, Zipkin
from support.processes import run_python

tracer, _ = get_telemetry("tests.setting_values")


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        yield record


def messages(record: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, TelemetryWarning)]


# (arguments, setting, value used, text the one warning contains)
BAD_ARGUMENTS: list[tuple[dict[str, Any], str, object, str]] = [
    ({"sampler": "bogus"}, "sampler", "parentbased_always_on", "sampler='bogus'"),
    ({"sampler": 3}, "sampler", "parentbased_always_on", "sampler=3"),
    ({"sampler_arg": 5}, "sampler_arg", 1.0, "sampler_arg=5"),
    ({"sampler_arg": math.nan}, "sampler_arg", 1.0, "sampler_arg=nan"),
    ({"sampler_arg": math.inf}, "sampler_arg", 1.0, "sampler_arg=inf"),
    ({"sampler_arg": -0.1}, "sampler_arg", 1.0, "sampler_arg=-0.1"),
    ({"sampler_arg": True}, "sampler_arg", 1.0, "sampler_arg=True"),
    ({"sampler_arg": "half"}, "sampler_arg", 1.0, "sampler_arg='half'"),
    ({"sampler_arg": 10**400}, "sampler_arg", 1.0, "sampler_arg=1000000"),
    ({"service_name": ""}, "service_name", "unknown_service", "service_name=''"),
    ({"service_name": 42}, "service_name", "unknown_service", "service_name=42"),
    ({"exporters": 5}, "exporters", ("otlp",), "trace_exporters=5"),
    ({"exporters": ["jaeger"]}, "exporters", ("otlp",), "trace_exporters=['jaeger']"),
    ({"propagators": 7}, "propagators", ("tracecontext", "baggage"), "propagators=7"),
    ({"exporters": [OTLP(timeout=1e13)]}, "otlp_timeout", 10.0, "timeout=...)=10000000000000.0"),
    ({"exporters": [OTLP(timeout=0)]}, "otlp_timeout", 10.0, "OTLP(timeout=...)=0"),
    ({"exporters": [OTLP(timeout=math.nan)]}, "otlp_timeout", 10.0, "OTLP(timeout=...)=nan"),
    ({"exporters": [OTLP(timeout="soon")]}, "otlp_timeout", 10.0, "OTLP(timeout=...)='soon'"),  # type: ignore[arg-type]
    ({"exporters": [OTLP(endpoint=5)]}, "otlp_endpoint", None, "OTLP(endpoint=...)=5"),  # type: ignore[arg-type]
    ({"exporters": [OTLP(endpoint="http://[::1")]}, "otlp_endpoint", None, "'http://[::1'"),
    ({"exporters": [OTLP(insecure="maybe")]}, "otlp_insecure", False, "OTLP(insecure=...)='maybe'"),  # type: ignore[arg-type]
    ({"exporters": [OTLP(compression="br")]}, "otlp_compression", "none", "compression=...)='br'"),
    ({"exporters": [Zipkin(timeout=-1)]}, "zipkin_timeout", 10.0, "Zipkin(timeout=...)=-1"),
    ({"exporters": [OTLP(headers=5)]}, "otlp_headers", {}, "OTLP(headers=...)=***"),  # type: ignore[arg-type]
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "field", "used", "text"), BAD_ARGUMENTS)
def test_bad_argument_warns_once_and_uses_the_default(
    monkeypatch: pytest.MonkeyPatch,
    caught: list[warnings.WarningMessage],
    arguments: dict[str, Any],
    field: str,
    used: object,
    text: str,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER")  # conftest sets it to none
    setting = getattr(resolve_settings(**arguments), field)
    getattr(resolve_settings(**arguments), field)  # resolving again does not warn again
    (message,) = messages(caught)
    assert text in message
    assert "Using the default" in message
    assert setting.source == "default"
    assert used is None or setting.value == used


def test_bad_argument_falls_back_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, caught: list[warnings.WarningMessage]
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    settings = resolve_settings(sampler_arg=5)
    assert settings.sampler_arg.value == 0.25
    assert settings.sampler_arg.source == "environment"
    (message,) = messages(caught)
    assert message.endswith("Using OTEL_TRACES_SAMPLER_ARG='0.25'.")


@pytest.mark.parametrize(
    ("arguments", "field", "value"),
    [
        ({"exporters": "console"}, "exporters", ("console",)),
        ({"exporters": "console, zipkin"}, "exporters", ("console", "zipkin")),
        ({"exporters": OTLP(endpoint="http://c:4318/v1/traces")}, "exporters", ("otlp",)),
        ({"exporters": OTLP(endpoint="http://c:4318/v1/traces")}, "otlp_endpoint", "http://c:4318/v1/traces"),
        ({"exporters": []}, "exporters", ()),
        ({"exporters": ["none"]}, "exporters", ()),
        ({"sampler_arg": "0.5"}, "sampler_arg", 0.5),
        ({"sampler_arg": 0}, "sampler_arg", 0.0),
        ({"propagators": "tracecontext"}, "propagators", ("tracecontext",)),
        ({"exporters": [OTLP(timeout=2)]}, "otlp_timeout", 2.0),
        ({"exporters": [OTLP(headers={"A": "x"})]}, "otlp_headers", {"a": "x"}),
    ],
)  # fmt: skip
def test_good_arguments_in_every_accepted_form(
    caught: list[warnings.WarningMessage], arguments: dict[str, Any], field: str, value: object
) -> None:
    setting = getattr(resolve_settings(**arguments), field)
    assert setting.value == value
    assert setting.source == "argument"
    assert messages(caught) == []


@pytest.mark.requires_otel
def test_a_single_exporter_name_is_one_name_not_letters(
    caught: list[warnings.WarningMessage], capsys: pytest.CaptureFixture[str]
) -> None:
    from opentelemetry import trace

    assert configure_telemetry(trace_exporters="console") is True
    with tracer.start_as_current_span("one"):
        pass
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert messages(caught) == []
    assert capsys.readouterr().err.count(" one\n") == 1


@pytest.mark.requires_otel
@pytest.mark.parametrize(
    ("arguments", "description"),
    [
        ({"sampler": "bogus"}, "ParentBased{root:AlwaysOnSampler"),
        ({"sampler": "traceidratio", "sampler_arg": 5}, "TraceIdRatioBased{1.0}"),
        ({"sampler": "traceidratio", "sampler_arg": math.nan}, "TraceIdRatioBased{1.0}"),
        ({"sampler": "traceidratio", "sampler_arg": "0.5"}, "TraceIdRatioBased{0.5}"),
    ],
)
def test_configure_telemetry_never_raises_on_a_bad_sampler(
    caught: list[warnings.WarningMessage], arguments: dict[str, Any], description: str
) -> None:
    from opentelemetry import trace

    assert configure_telemetry(trace_exporters=[], **arguments) is True
    sampler = trace.get_tracer_provider().sampler  # type: ignore[attr-defined]
    assert sampler.get_description().startswith(description)
    assert len(messages(caught)) == (0 if arguments.get("sampler_arg") == "0.5" else 1)


# (variable, value, setting, value used); the warning names variable and value.
OUT_OF_RANGE = [
    ("OTEL_BSP_SCHEDULE_DELAY", "1e13", "bsp_schedule_delay", 5.0),
    ("OTEL_BSP_SCHEDULE_DELAY", "-1", "bsp_schedule_delay", 5.0),
    ("OTEL_BSP_EXPORT_TIMEOUT", "1e13", "bsp_export_timeout", 30.0),
    ("OTEL_EXPORTER_OTLP_TIMEOUT", "1e13", "otlp_timeout", 10.0),
    ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0", "otlp_timeout", 10.0),
    ("OTEL_EXPORTER_ZIPKIN_TIMEOUT", "1e13", "zipkin_timeout", 10.0),
    ("OTEL_BSP_MAX_QUEUE_SIZE", "1" + "0" * 5000, "bsp_max_queue_size", 32_768),
    ("OTEL_BSP_MAX_QUEUE_SIZE", "10000000000", "bsp_max_queue_size", 32_768),
    ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-3", "bsp_max_export_batch_size", 512),
    ("OTEL_TRACES_SAMPLER_ARG", "nan", "sampler_arg", 1.0),
]


@pytest.mark.parametrize(("variable", "value", "field", "used"), OUT_OF_RANGE)
def test_values_out_of_range_warn_once_and_use_the_default(
    monkeypatch: pytest.MonkeyPatch,
    caught: list[warnings.WarningMessage],
    variable: str,
    value: str,
    field: str,
    used: object,
) -> None:
    monkeypatch.setenv(variable, value)
    setting = getattr(resolve_settings(), field)
    (message,) = messages(caught)
    assert message.startswith(f"Ignoring {variable}={value[:40]!r}"[:-1])
    assert len(message) < 300
    assert setting.value == used
    assert setting.source == "default"


def test_a_zero_batch_delay_is_raised_to_the_floor_not_a_busy_loop(
    monkeypatch: pytest.MonkeyPatch, caught: list[warnings.WarningMessage]
) -> None:
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "0")
    setting = resolve_settings().bsp_schedule_delay
    assert setting.value == 0.01
    assert setting.source == "environment"
    assert messages(caught) == []


@pytest.mark.requires_otel
def test_the_export_worker_gets_the_checked_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    from pynector.telemetry._export.span_processors import build_span_processors

    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "0")
    ((_, processor),) = build_span_processors(resolve_settings(exporters=["otlp"]))
    try:
        assert processor._delivery.options.schedule_delay == 0.01  # type: ignore[attr-defined]
    finally:
        processor.shutdown()


def test_arguments_and_variables_share_one_range(
    monkeypatch: pytest.MonkeyPatch, caught: list[warnings.WarningMessage]
) -> None:
    # 600 s is the longest timeout, whichever way it is given.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "600000")
    assert resolve_settings().otlp_timeout.value == 600.0
    assert resolve_settings(exporters=[OTLP(timeout=600)]).otlp_timeout.value == 600.0
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "600001")
    assert resolve_settings().otlp_timeout.source == "default"
    assert resolve_settings(exporters=[OTLP(timeout=600.001)]).otlp_timeout.source == "default"
    assert len(messages(caught)) == 2


def test_a_huge_value_gives_a_short_warning(
    monkeypatch: pytest.MonkeyPatch, caught: list[warnings.WarningMessage]
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "x" * 100_000)
    resolve_settings()
    (message,) = messages(caught)
    assert "(100,000 characters)" in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("variable", "value", "secret"),
    [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://deploy:hunter2@collector/?x=1", "hunter2"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4318/?api_key=hunter2", "hunter2"),
        ("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "zipkin?token=hunter2&x=1", "hunter2"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer hunter2\x01", "hunter2"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key:hunter2", "hunter2"),
        ("OTEL_EXPORTER_OTLP_HEADERS", "bad name=hunter2", "hunter2"),
    ],
)
def test_credentials_in_a_bad_value_are_masked(
    monkeypatch: pytest.MonkeyPatch,
    caught: list[warnings.WarningMessage],
    variable: str,
    value: str,
    secret: str,
) -> None:
    monkeypatch.setenv(variable, value)
    resolve_settings()
    (message,) = messages(caught)
    assert variable in message
    assert secret not in message
    assert "***" in message


def test_credentials_in_a_bad_argument_are_masked(caught: list[warnings.WarningMessage]) -> None:
    resolve_settings(exporters=[OTLP(endpoint="ftp://u:hunter2@c/", headers={"k": 5})])  # type: ignore[dict-item]
    assert len(messages(caught)) == 2
    assert all("hunter2" not in message for message in messages(caught))


def test_header_names_are_lower_cased_for_grpc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20x,X-Team=core")
    settings: ExportSettings = resolve_settings()
    assert settings.otlp_headers.value == {"authorization": "Bearer x", "x-team": "core"}


# Variables OpenTelemetry's SDK also reads; a malformed one gives our one
# warning and no message from the SDK, and configuration goes on.
SDK_ALSO_READS = [
    ("OTEL_EXPORTER_OTLP_HEADERS", "novalue", "http/protobuf"),
    ("OTEL_EXPORTER_OTLP_HEADERS", "novalue", "grpc"),
    ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "soon", "grpc"),
    ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon", "http/protobuf"),
    ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli", "grpc"),
    ("OTEL_RESOURCE_ATTRIBUTES", "novalue,team=core", "http/protobuf"),
    ("OTEL_TRACES_SAMPLER_ARG", "lots", "http/protobuf"),
    ("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "many", "http/protobuf"),
    ("OTEL_ATTRIBUTE_COUNT_LIMIT", "-1", "grpc"),
    ("OTEL_SPAN_EVENT_COUNT_LIMIT", "1.5", "http/protobuf"),
]

ONE_MESSAGE_APP = """
import logging, sys, warnings
logging.basicConfig(level=logging.DEBUG, format="LOG %(name)s %(message)s")
from pynector.telemetry import configure_telemetry
print(configure_telemetry(sampler="traceidratio"))
"""


@pytest.mark.requires_otel
@pytest.mark.parametrize(("variable", "value", "protocol"), SDK_ALSO_READS)
def test_a_malformed_variable_gives_one_message_not_two(
    variable: str, value: str, protocol: str
) -> None:
    # A fresh interpreter: the SDK reads some of these when it is imported.
    result = run_python(
        ONE_MESSAGE_APP,
        env={
            variable: value,
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
            "OTEL_BSP_SCHEDULE_DELAY": "60000",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    warning_lines = [line for line in result.stderr.splitlines() if "TelemetryWarning" in line]
    assert len(warning_lines) == 1, result.stderr
    assert variable in warning_lines[0]
    sdk_lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("LOG opentelemetry") and value in line
    ]
    assert sdk_lines == [], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.requires_otel
def test_sdk_limits_that_are_valid_still_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "2")
    configure_telemetry(trace_exporters=[])
    from opentelemetry import trace

    limits = trace.get_tracer_provider()._span_limits  # type: ignore[attr-defined]
    assert limits.max_span_attributes == 2


@pytest.mark.requires_otel
def test_arguments_beat_environment_headers_for_the_http_exporter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The SDK's HTTP exporter merges the variable's headers into explicit ones.
    from pynector.telemetry.config import _configure_exporters

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_HEADERS", "from-env=1")

    class Provider:
        processors: list[Any]

        def __init__(self) -> None:
            self.processors = []

        def add_span_processor(self, processor: Any) -> None:
            self.processors.append(processor)

    provider = Provider()
    _configure_exporters(provider, [OTLP(headers={"from-code": "2"})])
    (processor,) = provider.processors
    processor.shutdown()
    sent = processor.exporter._client._headers
    assert sent["from-code"] == "2"
    assert "from-env" not in sent


@pytest.mark.requires_otel
def test_the_environment_is_restored_after_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "soon")
    monkeypatch.setenv("OTEL_SPAN_LINK_COUNT_LIMIT", "x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        configure_telemetry(trace_exporters=["otlp"])
    assert os.environ["OTEL_EXPORTER_OTLP_TIMEOUT"] == "soon"
    assert os.environ["OTEL_SPAN_LINK_COUNT_LIMIT"] == "x"


def test_doctor_reports_the_same_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from pynector.telemetry._cli.doctor import run_doctor
    from pynector.telemetry._export.environment import get_env_dict
    from pynector.telemetry._export.settings import check_sdk_variables
    from pynector.telemetry._logs.structlog_pipeline import renderer_name
    from pynector.telemetry._warnings import reset_warnings

    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "1e13")
    monkeypatch.setenv(
        "OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://u:hunter2@c/?api_key=hunter2" + "x" * 999
    )
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "y" * 100_000)
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "oops")
    monkeypatch.setenv("OTEL_SPAN_LINK_COUNT_LIMIT", "x")
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "xml")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        resolve_settings()
        get_env_dict("OTEL_RESOURCE_ATTRIBUTES")
        check_sdk_variables()
        renderer_name()
    expected = messages(record)
    assert len(expected) == 6
    reset_warnings()

    out = io.StringIO()
    assert run_doctor(out) == 1
    report = out.getvalue()
    problems = report.split("\nProblems\n")[1].splitlines()
    for message in expected:
        assert f"  - {message}" in problems
    assert "hunter2" not in report
    assert max(len(line) for line in report.splitlines()) < 300


DELIVERY_APP = """
from pynector.telemetry import configure_telemetry, get_telemetry
configure_telemetry()
tracer, _ = get_telemetry("settings.app")
for i in range(20):
    with tracer.start_as_current_span("s", {"i": i}):
        pass
"""


@pytest.mark.requires_otel
@pytest.mark.parametrize(
    ("protocol", "variable", "value"),
    [
        ("http/protobuf", "OTEL_BSP_SCHEDULE_DELAY", "1e13"),  # killed the export thread
        ("grpc", "OTEL_BSP_SCHEDULE_DELAY", "1e13"),
        ("http/protobuf", "OTEL_BSP_SCHEDULE_DELAY", "0"),  # busy-looped
        ("http/protobuf", "OTEL_EXPORTER_OTLP_TIMEOUT", "1e13"),  # failed every export
        ("grpc", "OTEL_EXPORTER_OTLP_TIMEOUT", "1e13"),
        ("grpc", "OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20x"),  # capital key
        ("http/protobuf", "OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer%20x"),
    ],
)
def test_extreme_values_still_deliver_every_span(
    collector: Any, protocol: str, variable: str, value: str
) -> None:
    endpoint = collector.grpc_endpoint if protocol == "grpc" else collector.http_endpoint
    env = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        variable: value,
    }
    result = run_python(DELIVERY_APP, env=env)
    assert result.returncode == 0, result.stderr
    spans = collector.wait_for(20)
    assert len(spans) == 20, result.stderr
    assert sorted(span["attributes"]["i"] for span in spans) == list(range(20))
    assert "Traceback" not in result.stderr
    assert result.stderr.count("TelemetryWarning") == (value == "1e13")
