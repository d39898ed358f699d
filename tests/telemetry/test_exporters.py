"""Exporter selection: names, console output, missing packages."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from support.processes import run_python

pytestmark = pytest.mark.requires_otel

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor

    from support.collector import Collector

tracer, _ = get_telemetry("tests.exporters")


def processor_names(names: list[str]) -> list[str]:
    from pynector.telemetry._export.settings import resolve_settings
    from pynector.telemetry._export.span_processors import build_span_processors

    processors = build_span_processors(resolve_settings(exporters=names))
    for _, processor in processors:
        processor.shutdown()
    return [name for name, _ in processors]


def test_known_names_deduplicated_and_none_ignored() -> None:
    assert processor_names(["console", "CONSOLE", "none", "zipkin"]) == ["console", "zipkin"]


def test_unknown_exporter_warns_and_is_skipped() -> None:
    with pytest.warns(TelemetryWarning, match="Skipping 'jaeger' in trace_exporters"):
        assert processor_names(["jaeger", "console"]) == ["console"]


@pytest.mark.parametrize(
    ("exporter", "module", "extra"),
    [
        ("otlp", "opentelemetry.exporter.otlp.proto.http.trace_exporter", "otlp"),
        ("zipkin", "opentelemetry.exporter.zipkin.json", "zipkin"),
    ],
)
def test_missing_exporter_package_names_the_extra(exporter: str, module: str, extra: str) -> None:
    with (
        patch.dict(sys.modules, {module: None}),
        pytest.warns(TelemetryWarning, match=rf'pip install "pynector\[{extra}\]"'),
    ):
        assert processor_names([exporter, "console"]) == ["console"]


def test_default_exporter_is_otlp_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor
    from pynector.telemetry.config import _configure_exporters

    monkeypatch.delenv("OTEL_TRACES_EXPORTER")

    class Provider:
        def __init__(self) -> None:
            self.processors: list[SpanProcessor] = []

        def add_span_processor(self, processor: SpanProcessor) -> None:
            self.processors.append(processor)

    provider = Provider()
    assert _configure_exporters(provider, None) == ["otlp"]
    (processor,) = provider.processors
    assert isinstance(processor, DeliveringSpanProcessor)
    redacting: Any = processor.exporter  # redaction sits in front of the exporter
    assert isinstance(redacting.exporter, OTLPSpanExporter)
    assert processor.destination == "OTLP http/protobuf http://localhost:4318/v1/traces"
    processor.shutdown()


def test_grpc_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    from pynector.telemetry._export.settings import resolve_settings
    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor
    from pynector.telemetry._export.span_processors import build_span_processors

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    ((_, processor),) = build_span_processors(resolve_settings(exporters=["otlp"]))
    assert isinstance(processor, DeliveringSpanProcessor)
    assert isinstance(processor.exporter, OTLPSpanExporter)
    assert processor.destination == "OTLP grpc http://localhost:4317"
    processor.shutdown()


def test_console_lines_writes_one_readable_line_per_span(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_telemetry(service_name="svc", trace_exporters=["console-lines"])
    with tracer.start_as_current_span("parent", {"user": "u1"}):
        try:
            with tracer.start_as_current_span("child"):
                raise ValueError("broken")
        except ValueError:
            pass
    child, parent = capsys.readouterr().err.splitlines()
    assert child.startswith("span 'child' trace_id=")
    assert "status=ERROR error='ValueError: broken'" in child
    assert "parent_id=-" in parent
    assert "user='u1'" in parent
    parent_span_id = parent.split("span_id=")[1].split()[0]
    assert f"parent_id={parent_span_id}" in child


def test_environment_selects_exporters(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    configure_telemetry()
    with tracer.start_as_current_span("from-env"):
        pass
    assert "from-env" in capsys.readouterr().err


def test_argument_beats_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    configure_telemetry(trace_exporters=["none"])
    with tracer.start_as_current_span("quiet"):
        pass
    assert capsys.readouterr() == ("", "")


@pytest.mark.requires_otel
def test_otlp_endpoint_in_code_without_a_path_delivers(collector: Collector) -> None:
    # OTLP(endpoint="http://host:4318") posted to "/" and got 404 before.
    result = run_python(
        f"""
        from pynector.telemetry import configure_telemetry, get_telemetry
        from pynector.telemetry.exporters import OTLP
        configure_telemetry(trace_exporters=[OTLP(endpoint={collector.http_endpoint!r})])
        tracer, _ = get_telemetry("app")
        for n in range(20):
            with tracer.start_as_current_span("unit"):
                pass
        """
    )
    assert result.returncode == 0, result.stderr
    assert len(collector.wait_for(20)) == 20
    assert result.stderr == ""
