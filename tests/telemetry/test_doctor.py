"""``python -m pynector.telemetry doctor``: packages, settings and sources, and real
export probes against the real collector on right and wrong ports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY
from pynector.telemetry._cli.doctor import TAKES_EFFECT
from support.collector import free_port
from support.processes import run_python

if TYPE_CHECKING:
    import subprocess

    from support.collector import Collector


def doctor(env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    arguments = ["doctor", *options]
    return run_python(
        f"import sys; from pynector.telemetry.__main__ import main; sys.exit(main({arguments!r}))",
        env=env,
    )


@pytest.mark.requires_otel
@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_healthy_configuration_exits_zero(collector: Collector, protocol: str) -> None:
    grpc = protocol == "grpc"
    endpoint = collector.grpc_endpoint if grpc else collector.http_endpoint
    result = doctor(
        {
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_SERVICE_NAME": "shop",
        }
    )
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "opentelemetry-sdk" in out
    assert TAKES_EFFECT in out
    assert "service_name               shop" in out
    assert "environment (OTEL_SERVICE_NAME)" in out
    shown = endpoint if grpc else f"{endpoint}/v1/traces"
    answer = "gRPC OK" if grpc else "HTTP 200"
    assert f"otlp ({protocol}) -> {shown}: export accepted ({answer})" in out
    assert "otlp_timeout               10 s" in out
    assert out.rstrip().endswith("No problems found.")
    assert result.stderr == ""


@pytest.mark.requires_otel
@pytest.mark.parametrize(
    ("protocol", "port", "diagnosis"),
    [
        ("grpc", "http", "this looks like an OTLP/HTTP port: set OTEL_EXPORTER_OTLP_PROTOCOL="),
        ("http/protobuf", "grpc", "this looks like an OTLP/gRPC port: set OTEL_EXPORTER_OTLP_PROT"),
    ],
)
def test_wrong_protocol_for_the_port_is_diagnosed(
    collector: Collector, protocol: str, port: str, diagnosis: str
) -> None:
    # A TCP connect succeeds here, and yet every span would be lost.
    endpoint = collector.http_endpoint if port == "http" else collector.grpc_endpoint
    result = doctor(
        {"OTEL_EXPORTER_OTLP_PROTOCOL": protocol, "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
    )
    assert result.returncode == 1
    assert "export FAILED" in result.stdout
    assert diagnosis in result.stdout
    assert result.stderr == ""


@pytest.mark.requires_otel
def test_misconfiguration_exits_one_and_masks_secrets() -> None:
    port = free_port()
    result = doctor(
        {
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://admin:hunter2@127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20t0ken,x-team=core",
            "OTEL_BSP_MAX_QUEUE_SIZE": "lots",
            "OTEL_TRACES_EXPORTER": "otlp,console,console-lines,jaeger",
            "PYNECTOR_CONSOLE_STREAM": "stdout",
        }
    )
    assert result.returncode == 1
    out = result.stdout
    assert "hunter2" not in out
    assert "t0ken" not in out
    assert "authorization=***, x-team=***" in out
    assert f"http://admin:***@127.0.0.1:{port}" in out
    assert f"nothing listens at 127.0.0.1:{port}" in out
    assert "OTEL_BSP_MAX_QUEUE_SIZE='lots'" in out
    assert "Skipping 'jaeger' in OTEL_TRACES_EXPORTER" in out
    assert "console -> stdout: each trace drawn as a tree" in out
    assert "console-lines -> stdout: one line per span" in out


@pytest.mark.requires_otel
def test_tracing_disabled_reports_nothing_unreachable() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = doctor({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": dead})
    assert result.returncode == 0, result.stdout
    assert "(none: OTEL_SDK_DISABLED is true, so tracing is off)" in result.stdout
    assert "nothing listens" not in result.stdout


@pytest.mark.requires_otel
def test_json_report(collector: Collector) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = doctor({"OTEL_EXPORTER_OTLP_ENDPOINT": dead, "OTEL_SERVICE_NAME": "shop"}, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["takes_effect"] == TAKES_EFFECT
    assert {
        "name": "service_name",
        "value": "shop",
        "source": "environment (OTEL_SERVICE_NAME)",
    } in (report["settings"])
    (exporter,) = report["exporters"]
    assert exporter["name"] == "otlp (http/protobuf)"
    assert exporter["ok"] is False
    assert len(report["problems"]) == 1
    assert report["problems"][0].startswith(f"otlp (http/protobuf) -> {dead}/v1/traces: nothing")


@pytest.mark.requires_otel
def test_nothing_exported_is_not_a_problem() -> None:
    result = doctor({"OTEL_TRACES_EXPORTER": "none"})
    assert result.returncode == 0, result.stdout
    assert "(none: spans are not exported)" in result.stdout


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="the no-dependency configuration")
def test_without_the_sdk_the_doctor_says_what_to_install() -> None:
    result = doctor({"OTEL_TRACES_EXPORTER": "none"})
    assert result.returncode == 1
    assert "opentelemetry-sdk                        not installed" in result.stdout
    assert 'pip install "pynector[observability]"' in result.stdout


@pytest.mark.requires_otel
@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_metrics_settings_and_exporters_are_reported(collector: Collector, protocol: str) -> None:
    grpc = protocol == "grpc"
    endpoint = collector.grpc_endpoint if grpc else collector.http_endpoint
    result = doctor(
        {
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_METRICS_EXPORTER": "otlp,console",
            "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "api-key=s3cret",
            "OTEL_METRIC_EXPORT_INTERVAL": "soon",
            "OTEL_METRICS_EXEMPLAR_FILTER": "always_on",
        }
    )
    assert result.returncode == 1, result.stdout  # the malformed interval
    out = result.stdout
    assert "s3cret" not in out
    metrics = out[out.index("Metrics configuration") :]
    assert "exporters                  otlp, console" in metrics
    assert "otlp_headers               api-key=***" in metrics
    assert "export_interval            60 s" in metrics
    assert "exemplar_filter            always_on" in metrics
    shown = endpoint if grpc else f"{endpoint}/v1/metrics"
    answer = "gRPC OK" if grpc else "HTTP 200"
    assert f"otlp ({protocol}) -> {shown}: export accepted ({answer})" in metrics
    assert "console -> stderr: one line per data point" in metrics
    assert "Ignoring OTEL_METRIC_EXPORT_INTERVAL='soon'" in metrics
    assert result.stderr == ""


@pytest.mark.requires_otel
def test_a_dead_metrics_endpoint_is_a_problem_in_the_json_report() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "otlp"}
    result = doctor({**env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": dead}, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    (exporter,) = report["metric_exporters"]
    assert (exporter["name"], exporter["ok"]) == ("otlp (http/protobuf)", False)
    assert {
        "name": "exporters",
        "value": "otlp",
        "source": "environment (OTEL_METRICS_EXPORTER)",
    } in (report["metric_settings"])
    (problem,) = report["problems"]
    assert problem.startswith(f"otlp (http/protobuf) -> {dead}: nothing listens")


@pytest.mark.requires_otel
def test_no_metrics_asked_is_not_a_problem() -> None:
    result = doctor({"OTEL_TRACES_EXPORTER": "none"})
    assert result.returncode == 0, result.stdout
    assert "(none: metrics are not exported; OTEL_METRICS_EXPORTER turns them on)" in result.stdout


@pytest.mark.requires_otel
@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_log_export_settings_and_probe(collector: Collector, protocol: str) -> None:
    grpc = protocol == "grpc"
    endpoint = collector.grpc_endpoint if grpc else collector.http_endpoint
    result = doctor(
        {
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "otlp,console",
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT": "2500",
        },
        "--json",
    )
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    rows = {row["name"]: (row["value"], row["source"]) for row in report["log_settings"]}
    assert rows["exporters"] == ("otlp, console", "environment (OTEL_LOGS_EXPORTER)")
    assert rows["otlp_protocol"] == (protocol, "environment (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL)")
    shown = endpoint if grpc else f"{endpoint}/v1/logs"
    assert rows["otlp_endpoint"] == (shown, "environment (OTEL_EXPORTER_OTLP_ENDPOINT)")
    assert rows["otlp_timeout"] == ("2.5 s", "environment (OTEL_EXPORTER_OTLP_LOGS_TIMEOUT)")
    answer = "gRPC OK" if grpc else "HTTP 200"
    assert report["log_exporters"] == [
        {
            "name": f"otlp ({protocol})",
            "destination": shown,
            "status": f"export accepted ({answer})",
            "ok": True,
        },
        {
            "name": "console",
            "destination": "stderr",
            "status": "one JSON line per record",
            "ok": True,
        },
    ]
    assert report["exporters"] == []


@pytest.mark.requires_otel
def test_log_export_to_a_wrong_path_is_a_problem(collector: Collector) -> None:
    url = f"{collector.http_endpoint}/v1/log"
    result = doctor({"OTEL_LOGS_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": url})
    assert result.returncode == 1
    assert f"otlp (http/protobuf) -> {url}: export FAILED (HTTP 404)" in result.stdout
    assert "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" in result.stdout


@pytest.mark.requires_otel
def test_no_log_export_is_not_a_problem() -> None:
    result = doctor({"OTEL_TRACES_EXPORTER": "none"})
    assert result.returncode == 0, result.stdout
    assert "exporters                  (none)                                       default" in (
        result.stdout
    )
    assert "(none: log records stay on this machine; OTEL_LOGS_EXPORTER=otlp sends them)" in (
        result.stdout
    )
