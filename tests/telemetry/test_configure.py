"""configure_telemetry with the real SDK: what it installs, and what it never replaces."""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from support.logs import without_root_handlers
from support.spans import by_name

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from structlog.typing import EventDict, WrappedLogger

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("tests.configure")


def sdk_provider() -> TracerProvider:
    """The global tracer provider, which configure_telemetry made an SDK one."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    return provider


def add_memory_exporter() -> InMemorySpanExporter:
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    sdk_provider().add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def test_installs_provider_with_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider

    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,team=core%20infra")
    assert configure_telemetry(service_name="checkout", resource_attributes={"team": "payments"})
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    attributes = provider.resource.attributes
    assert attributes["service.name"] == "checkout"
    assert attributes["deployment.environment"] == "test"
    assert attributes["team"] == "payments"  # the argument beats the environment


def test_service_name_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    configure_telemetry()
    assert sdk_provider().resource.attributes["service.name"] == "from-env"


def test_never_replaces_the_applications_provider(span_exporter: InMemorySpanExporter) -> None:
    from opentelemetry import trace

    application_provider = trace.get_tracer_provider()
    with pytest.warns(TelemetryWarning, match="already set"):
        assert configure_telemetry(service_name="ignored", trace_exporters=["console"]) is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second call must not warn again
        assert configure_telemetry(service_name="ignored") is True
    assert trace.get_tracer_provider() is application_provider
    with tracer.start_as_current_span("still-mine"):
        pass
    assert [s.name for s in span_exporter.get_finished_spans()] == ["still-mine"]


def test_disabled_by_argument_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry import trace

    assert configure_telemetry(trace_enabled=False) is False
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert configure_telemetry() is False
    assert trace._TRACER_PROVIDER is None
    assert not tracer.is_enabled()


@pytest.mark.requires_structlog
def test_log_lines_carry_the_current_span(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():
        configure_telemetry(service_name="svc", trace_exporters=[])
        exporter = add_memory_exporter()

        log.info("outside")
        with tracer.start_as_current_span("handler"):
            with tracer.start_as_current_span("db"):
                log.info("inside", rows=3)
            log.warning("after-db")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    spans = by_name(exporter.get_finished_spans())
    outside, inside, after = lines
    assert "trace_id" not in outside
    assert inside["event"] == "inside"
    assert inside["rows"] == 3
    assert inside["level"] == "info"
    assert inside["logger"] == "tests.configure"
    assert inside["trace_id"] == format(spans["db"].context.trace_id, "032x")
    assert inside["span_id"] == format(spans["db"].context.span_id, "016x")
    assert after["span_id"] == format(spans["handler"].context.span_id, "016x")
    assert len(inside["trace_id"]) == 32
    assert len(inside["span_id"]) == 16


@pytest.mark.requires_structlog
def test_log_level_and_custom_processors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")

    def add_region(logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
        event_dict["region"] = "eu"
        return event_dict

    with without_root_handlers():
        with pytest.warns(TelemetryWarning, match="Skipping .nonsense. in log_processors"):
            configure_telemetry(
                trace_exporters=[], log_level="warning", log_processors=[add_region, "nonsense"]
            )
        log.info("dropped")
        log.error("kept", code=7)
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line) | {"timestamp": None} == {
        "event": "kept",
        "code": 7,
        "level": "error",
        "logger": "tests.configure",
        "region": "eu",
        "timestamp": None,
    }


@pytest.mark.requires_structlog
def test_console_format_for_terminals(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "console")
    with without_root_handlers():
        configure_telemetry(trace_exporters=[])
        log.info("hello", user="u1")
    err = capsys.readouterr().err
    assert "hello" in err
    assert "user=u1" in err


@pytest.mark.requires_structlog
def test_never_replaces_the_applications_structlog(capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    structlog.configure(processors=[structlog.processors.KeyValueRenderer()])
    with pytest.warns(TelemetryWarning, match="structlog is already configured"):
        configure_telemetry(trace_exporters=[])
    assert structlog.get_config()["processors"][0].__class__.__name__ == "KeyValueRenderer"


@pytest.mark.requires_structlog
def test_bad_log_level_warns_and_uses_info(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():
        with pytest.warns(TelemetryWarning, match="log_level='LOUD'"):
            configure_telemetry(trace_exporters=[], log_level="LOUD")
        log.debug("no")
        log.info("yes")
    assert [json.loads(x)["event"] for x in capsys.readouterr().err.splitlines()] == ["yes"]


@pytest.mark.parametrize(
    ("sampler", "arg", "expected"),
    [
        ("always_off", None, "AlwaysOffSampler"),
        ("traceidratio", 0.5, "TraceIdRatioBased{0.5}"),
        ("parentbased_always_off", None, "ParentBased{root:AlwaysOffSampler"),
        ("parentbased_traceidratio", 0.25, "ParentBased{root:TraceIdRatioBased{0.25}"),
    ],
)
def test_sampler_argument(sampler: str, arg: float | None, expected: str) -> None:
    configure_telemetry(trace_exporters=[], sampler=sampler, sampler_arg=arg)
    assert sdk_provider().sampler.get_description().startswith(expected)


def test_sampler_from_environment_and_malformed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "always_off")
    configure_telemetry(trace_exporters=[])
    assert sdk_provider().sampler.get_description() == "AlwaysOffSampler"
    with tracer.start_as_current_span("unsampled") as span:
        assert not span.is_recording()


def test_malformed_sampler_warns_and_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "mostly")
    with pytest.warns(TelemetryWarning, match="OTEL_TRACES_SAMPLER='mostly'"):
        configure_telemetry(trace_exporters=[])
    description = sdk_provider().sampler.get_description()
    assert description.startswith("ParentBased{root:AlwaysOnSampler")


def test_propagators_argument_is_installed() -> None:
    from opentelemetry import propagate

    configure_telemetry(trace_exporters=[], propagators=["tracecontext"])
    assert propagate.get_global_textmap().fields == {"traceparent", "tracestate"}


def test_unknown_propagator_in_environment_never_crashes(monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenTelemetry raises at import of opentelemetry.propagate for an unknown
    # name; run in a fresh interpreter where it has not been imported yet.
    from support.processes import run_python

    result = run_python(
        """
        import warnings
        warnings.simplefilter("always")
        from pynector.telemetry import configure_telemetry
        configure_telemetry(trace_exporters=[])
        from opentelemetry import propagate
        print(sorted(propagate.get_global_textmap().fields))
        """,
        env={"OTEL_PROPAGATORS": "tracecontext,b3-typo"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['traceparent', 'tracestate']"
    assert "b3-typo" in result.stderr
    assert "Traceback" not in result.stderr


def test_mask_url_hides_passwords_only() -> None:
    from pynector.telemetry._export.endpoints import mask_url

    assert (
        mask_url("https://user:pa55@host:4318/v1/traces") == "https://user:***@host:4318/v1/traces"
    )
    assert mask_url("http://host:4318") == "http://host:4318"
