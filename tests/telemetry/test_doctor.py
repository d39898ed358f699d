"""``python -m pynector.telemetry doctor`` reports packages, settings, sources, reachability."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY
from support.collector import free_port
from support.processes import run_python

if TYPE_CHECKING:
    from support.collector import Collector

DOCTOR = "import sys; from pynector.telemetry.__main__ import main; sys.exit(main(['doctor']))"


@pytest.mark.requires_otel
def test_healthy_configuration_exits_zero(collector: Collector) -> None:
    result = run_python(
        DOCTOR,
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.http_endpoint,
            "OTEL_SERVICE_NAME": "shop",
        },
    )
    assert result.returncode == 0, result.stdout
    out = result.stdout
    assert "opentelemetry-sdk" in out
    assert "service_name               shop" in out
    assert "environment (OTEL_SERVICE_NAME)" in out
    assert f"otlp -> {collector.http_endpoint}/v1/traces: accepts connections" in out
    assert "otlp_timeout               10 s" in out
    assert out.rstrip().endswith("No problems found.")


@pytest.mark.requires_otel
def test_misconfiguration_exits_one_and_masks_secrets() -> None:
    port = free_port()
    result = run_python(
        DOCTOR,
        env={
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://admin:hunter2@127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20t0ken,x-team=core",
            "OTEL_BSP_MAX_QUEUE_SIZE": "lots",
            "OTEL_TRACES_EXPORTER": "otlp,console,console-lines",
            "PYNECTOR_CONSOLE_STREAM": "stdout",
        },
    )
    assert result.returncode == 1
    out = result.stdout
    assert "hunter2" not in out
    assert "t0ken" not in out
    assert "authorization=***, x-team=***" in out
    assert f"http://admin:***@127.0.0.1:{port}" in out
    assert "NOT reachable" in out
    assert "OTEL_BSP_MAX_QUEUE_SIZE='lots'" in out
    assert "console: each trace drawn as a tree on stdout" in out
    assert "console-lines: one line per span on stdout" in out
    assert "Problems" in out


def test_without_the_sdk_the_doctor_says_what_to_install() -> None:
    result = run_python(DOCTOR, env={"OTEL_TRACES_EXPORTER": "none"})
    if HAS_OPENTELEMETRY:
        assert result.returncode == 0, result.stdout
        assert "(none: spans are not exported)" in result.stdout
    else:
        assert result.returncode == 1
        assert "opentelemetry-sdk                        not installed" in result.stdout
        assert 'pip install "pynector[observability]"' in result.stdout
