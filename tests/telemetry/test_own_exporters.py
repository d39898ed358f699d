"""The application's own OpenTelemetry exporters and processors, given to configure_telemetry.

``trace_exporters``, ``log_exporters`` and ``metric_exporters`` take, in one
list, names, pynector's option objects and instances of the SDK's classes:
an exporter is delivered by pynector, a processor or reader is added as
given, and both only ever see redacted data.  Everything here is the real
SDK (in-memory and console exporters, simple processors, the in-memory
metric reader); forks and exits are in ``test_own_exporters_fork.py``.
"""

from __future__ import annotations

import io
import logging
import threading
import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_meter, get_telemetry
from pynector.telemetry._dependencies import is_importable
from pynector.telemetry._export.environment import InvalidValue
from pynector.telemetry._export.log_settings import resolve_log_settings
from pynector.telemetry._export.metric_settings import resolve_metric_settings
from pynector.telemetry._export.parsers import exporter_list, own_choices
from pynector.telemetry._export.settings import Setting, resolve_settings
from pynector.telemetry.exporters import OTLP, Zipkin

if TYPE_CHECKING or is_importable("opentelemetry.sdk.trace"):  # not in every configuration
    from opentelemetry import metrics, trace
    from opentelemetry.sdk._logs.export import (
        BatchLogRecordProcessor,
        InMemoryLogRecordExporter,
        SimpleLogRecordProcessor,
    )
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        InMemoryMetricReader,
        MetricsData,
    )
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import (
        SimpleSpanProcessor,
    )
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from pynector.telemetry._cli.doctor import run_doctor
    from pynector.telemetry._export.span_delivery import DeliveringSpanProcessor
    from pynector.telemetry._logs.export_handler import LogExportHandler
    from support.own_instances import (
        Enriching,
        FailingLogProcessor,
        FailingProcessor,
        FailingReader,
        Recorder,
        RefusingSpanExporter,
        SecretiveExporter,
        SecretiveReader,
        StuckMetricExporter,
        StuckSpanExporter,
    )

tracer, log = get_telemetry("ownlib")

SECRET = "hunter2-s3cr3t"  # the same as support.own_instances's


class Secretive:
    """Any object, whose repr holds a secret (and which nothing may print)."""

    def __repr__(self) -> str:
        return f"Secretive(authorization='Bearer {SECRET}')"


def telemetry_warnings(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, TelemetryWarning)]


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        yield record


# -- what the arguments take: works in every configuration ----------------------------


def test_an_object_that_is_no_exporter_is_named_by_its_class_never_its_repr() -> None:
    with pytest.raises(InvalidValue) as raised:
        exporter_list([Secretive()])
    assert "OpenTelemetry SpanExporter or SpanProcessor instance" in str(raised.value)
    with pytest.warns(TelemetryWarning) as record:
        settings = resolve_settings(exporters=["console", Secretive()])  # type: ignore[list-item]
    assert settings.exporters == Setting(("console",), "argument")
    (message,) = [str(w.message) for w in record]
    assert message.startswith("Skipping <Secretive object> in trace_exporters: expected a name")
    assert SECRET not in message


def test_configure_with_odd_objects_only_warns(caught: list[warnings.WarningMessage]) -> None:
    """Without OpenTelemetry (the bare configuration) as with it: warnings, never an error."""
    configure_telemetry(
        trace_exporters=[Secretive()],  # type: ignore[list-item]
        log_exporters=[Secretive()],  # type: ignore[list-item]
        metric_exporters=[Secretive(), Secretive],  # type: ignore[list-item]
    )
    messages = telemetry_warnings(caught)
    assert messages
    assert all(SECRET not in message for message in messages)
    assert len(caught) == len(messages)  # nothing but TelemetryWarnings


def test_options_of_another_signal_say_where_they_belong() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        resolve_metric_settings(exporters=["console", Zipkin()])  # type: ignore[list-item]
        resolve_log_settings(exporters=["otlp", OTLP(), Zipkin()])  # type: ignore[list-item]
    assert [str(w.message) for w in record] == [
        "Skipping <Zipkin object> in metric_exporters: expected a name (otlp, console, none), "
        "OTLP options, or an OpenTelemetry MetricExporter or MetricReader instance; Zipkin "
        "options belong in trace_exporters. The other entries are used.",
        "Skipping <Zipkin object> in log_exporters: expected a name (otlp, console, none), OTLP "
        "or Console options, or an OpenTelemetry LogRecordExporter or LogRecordProcessor "
        "instance; Zipkin options belong in trace_exporters. The other entries are used.",
    ]


# -- the SDK's classes ----------------------------------------------------------------

needs_sdk = pytest.mark.requires_otel


def flush_logs() -> None:
    for handler in logging.getLogger().handlers:
        if isinstance(handler, LogExportHandler):
            assert handler.provider.force_flush()


def span_summary(span: ReadableSpan) -> tuple[str, dict[str, Any]]:
    return span.name, dict(span.attributes or {})


def otel_tracer() -> Any:
    """OpenTelemetry's own tracer, as an instrumented library would use it (no pynector)."""
    return trace.get_tracer("instrumented")


@needs_sdk
def test_a_span_exporter_instance_is_delivered_every_span_redacted() -> None:
    exporter = InMemorySpanExporter()
    assert configure_telemetry(service_name="shop", trace_exporters=[exporter]) is True
    with otel_tracer().start_as_current_span("charge", attributes={"password": SECRET}) as span:
        span.set_attribute("card_token", "tok_" + SECRET)
        span.add_event("retry", {"Authorization": f"Bearer {SECRET}"})
    with tracer.start_as_current_span("lookup", {"user": "bob", "api_key": SECRET}):
        pass
    assert exporter.get_finished_spans() == ()  # batched, in the background
    assert trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    spans = exporter.get_finished_spans()
    assert [span_summary(span) for span in spans] == [
        ("charge", {"password": "[REDACTED]", "card_token": "[REDACTED]"}),
        ("lookup", {"user": "bob", "api_key": "[REDACTED]"}),
    ]
    assert dict(spans[0].events[0].attributes or {}) == {"Authorization": "[REDACTED]"}
    assert spans[0].resource.attributes["service.name"] == "shop"


@needs_sdk
def test_the_exporter_runs_behind_pynectors_delivery_named_by_its_class() -> None:
    exporter = InMemorySpanExporter()
    configure_telemetry(trace_exporters=exporter)  # one instance, no list needed
    processors = trace.get_tracer_provider()._active_span_processor._span_processors  # type: ignore[attr-defined]
    (delivering,) = processors
    assert isinstance(delivering, DeliveringSpanProcessor)
    assert delivering.destination == "the application's InMemorySpanExporter"


@needs_sdk
def test_a_processor_instance_is_added_as_given_and_sees_only_redacted_spans() -> None:
    recorder = Recorder()
    memory = InMemorySpanExporter()
    simple = SimpleSpanProcessor(memory)
    configure_telemetry(trace_exporters=[recorder, simple])
    with otel_tracer().start_as_current_span("login", attributes={"user": "bob"}) as span:
        span.set_attribute("password", SECRET)
    # Synchronous processors: nothing to flush.  on_start saw the live span
    # (which it may still enrich); on_end only the redacted copy.
    assert recorder.started == [("login", {"user": "bob"})]
    assert recorder.ending == ["login"]
    assert [span_summary(span) for span in recorder.ended] == [
        ("login", {"user": "bob", "password": "[REDACTED]"})
    ]
    assert [span_summary(span) for span in memory.get_finished_spans()] == [
        ("login", {"user": "bob", "password": "[REDACTED]"})
    ]
    assert simple.span_exporter is memory  # the application's processor was not altered
    assert trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert recorder.flushed == 1


@needs_sdk
def test_without_redaction_instances_get_spans_as_recorded() -> None:
    recorder = Recorder()
    exporter = InMemorySpanExporter()
    configure_telemetry(trace_exporters=[recorder, exporter], redact=False)
    with otel_tracer().start_as_current_span("login", attributes={"password": SECRET}):
        pass
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert [span_summary(span) for span in recorder.ended] == [("login", {"password": SECRET})]
    assert [span_summary(s) for s in exporter.get_finished_spans()] == [
        ("login", {"password": SECRET})
    ]


@needs_sdk
def test_names_options_and_instances_mix_in_one_list(capsys: pytest.CaptureFixture[str]) -> None:
    exporter = InMemorySpanExporter()
    recorder = Recorder()
    configure_telemetry(trace_exporters=["console-lines", exporter, "none", recorder])
    with tracer.start_as_current_span("mixed", {"token": SECRET}):
        pass
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert "mixed" in lines[0]
    assert SECRET not in lines[0]
    assert [span.name for span in exporter.get_finished_spans()] == ["mixed"]
    assert [span.name for span in recorder.ended] == ["mixed"]


@needs_sdk
def test_provider_shutdown_reaches_the_applications_exporters_and_processors() -> None:
    exporter = InMemorySpanExporter()
    recorder = Recorder()
    configure_telemetry(trace_exporters=[exporter, recorder])
    with tracer.start_as_current_span("last"):
        pass
    trace.get_tracer_provider().shutdown()  # type: ignore[attr-defined]  # what exit runs
    assert [span.name for span in exporter.get_finished_spans()] == ["last"]
    assert recorder.shut_down == 1
    assert exporter._stopped  # its own shutdown ran, after the last span was delivered


@needs_sdk
def test_reports_name_the_exporter_by_its_class(caplog: pytest.LogCaptureFixture) -> None:
    configure_telemetry(trace_exporters=[RefusingSpanExporter()])
    with tracer.start_as_current_span("refused"):
        pass
    with caplog.at_level(logging.WARNING, logger="pynector.telemetry.export"):
        trace.get_tracer_provider().shutdown()  # type: ignore[attr-defined]
    assert [record.getMessage() for record in caplog.records] == [
        "pynector: 1 of 1 spans were not delivered to the application's RefusingSpanExporter: "
        "1 still queued when the collector stopped answering."
    ]


def memory_logs() -> InMemoryLogRecordExporter:
    return InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]


#: (argument, what is given there by mistake, the hint its warning ends with)
WRONG_ENTRIES: list[tuple[str, Any, str | None]] = [
    ("trace_exporters", memory_logs, "a LogRecordExporter belongs in log_exporters"),
    (
        "trace_exporters",
        lambda: InMemoryMetricReader(),
        "a MetricReader belongs in metric_exporters",
    ),
    ("log_exporters", lambda: InMemorySpanExporter(), "a SpanExporter belongs in trace_exporters"),
    (
        "log_exporters",
        lambda: SimpleSpanProcessor(InMemorySpanExporter()),
        "a SpanProcessor belongs in trace_exporters",
    ),
    (
        "metric_exporters",
        lambda: InMemorySpanExporter(),
        "a SpanExporter belongs in trace_exporters",
    ),
    ("metric_exporters", memory_logs, "a LogRecordExporter belongs in log_exporters"),
    (
        "trace_exporters",
        lambda: InMemorySpanExporter,
        "give InMemorySpanExporter(), an instance, not the class",
    ),
    (
        "log_exporters",
        lambda: InMemoryLogRecordExporter,
        "give InMemoryLogRecordExporter(), an instance, not the class",
    ),
    (
        "metric_exporters",
        lambda: InMemoryMetricReader,
        "give InMemoryMetricReader(), an instance, not the class",
    ),
    ("trace_exporters", lambda: Secretive(), None),
    ("log_exporters", lambda: Secretive(), None),
]


def shown(entry: object) -> str:
    if isinstance(entry, type):
        return f"<class {entry.__name__}>"
    return f"<{type(entry).__name__} object>"


def metric_names(data: MetricsData | None) -> list[str]:
    return list(metric_points(data))


@needs_sdk
@pytest.mark.parametrize(("argument", "make", "hint"), WRONG_ENTRIES)
def test_a_wrong_entry_is_one_warning_and_the_others_still_work(
    argument: str, make: Any, hint: str | None, caught: list[warnings.WarningMessage]
) -> None:
    wrong = make()
    exporter = InMemorySpanExporter()
    reader = InMemoryMetricReader()
    logs = memory_logs()
    arguments: dict[str, list[Any]] = {
        "trace_exporters": [exporter],
        "log_exporters": [SimpleLogRecordProcessor(logs)],
        "metric_exporters": [reader],
    }
    arguments[argument].append(wrong)
    tracing = configure_telemetry(
        trace_exporters=arguments["trace_exporters"],
        log_exporters=arguments["log_exporters"],
        metric_exporters=arguments["metric_exporters"],
    )
    assert tracing is True
    (message,) = telemetry_warnings(caught)
    assert message.startswith(f"Skipping {shown(wrong)} in {argument}: expected a name (")
    assert message.endswith(f"{'; ' + hint if hint else ''}. The other entries are used.")
    assert SECRET not in message
    # The right entries of all three arguments work.
    with tracer.start_as_current_span("still"):
        log.warning("still logging")
    metrics.get_meter_provider().get_meter("app").create_counter("still").add(1)
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert [span.name for span in exporter.get_finished_spans()] == ["still"]
    assert bodies(logs) == ["still logging"]
    assert metric_names(reader.get_metrics_data()) == ["still"]


@needs_sdk
def test_nothing_usable_falls_back_to_the_environment_with_one_warning(
    caught: list[warnings.WarningMessage],
) -> None:
    configure_telemetry(trace_exporters=[memory_logs()])  # type: ignore[list-item]
    assert telemetry_warnings(caught) == [
        "Ignoring trace_exporters=[<InMemoryLogRecordExporter object>]: expected a name (otlp, "
        "console, console-lines, zipkin, none), OTLP, Zipkin or Console options, or an "
        "OpenTelemetry SpanExporter or SpanProcessor instance; a LogRecordExporter belongs in "
        "log_exporters. Using OTEL_TRACES_EXPORTER='none'."
    ]


@needs_sdk
def test_log_exporter_and_processor_instances_receive_redacted_records(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exporter, batched = memory_logs(), memory_logs()
    processor = Enriching()
    configure_telemetry(
        service_name="shop",
        log_exporters=["console", exporter, processor, BatchLogRecordProcessor(batched)],
    )
    log.info("login", user="bob", password=SECRET)
    logging.getLogger("app").warning("sent with Bearer %s", SECRET)
    flush_logs()
    expected = [
        ("login", {"user": "bob", "password": "[REDACTED]"}),
        ("sent with Bearer [REDACTED]", {}),
    ]
    for memory in (exporter, batched):
        records = memory.get_finished_logs()
        assert [(r.log_record.body, dict(r.log_record.attributes or {})) for r in records] == (
            expected
        )
        assert records[0].resource.attributes["service.name"] == "shop"
    assert processor.emitted == expected
    console = [line for line in capsys.readouterr().err.splitlines() if '"body"' in line]
    assert len(console) == 2
    assert SECRET not in "".join(console)


def bodies(exporter: InMemoryLogRecordExporter) -> list[Any]:
    return [record.log_record.body for record in exporter.get_finished_logs()]


@needs_sdk
def test_instances_given_again_carry_on_when_the_log_export_is_replaced() -> None:
    exporter = memory_logs()
    kept, dropped = Enriching(), Enriching()
    configure_telemetry(trace_enabled=False, log_exporters=[exporter, kept, dropped])
    log.info("first")
    # Each call replaces the log export: the earlier one is shut down, except
    # what serves the instances given again.
    configure_telemetry(trace_enabled=False, log_exporters=[exporter, kept])
    assert (kept.shut_down, dropped.shut_down) == (0, 1)
    log.info("second")
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, LogExportHandler)]
    handler.provider.shutdown()  # what exit runs
    assert bodies(exporter) == ["first", "second"]
    assert [body for body, _ in kept.emitted] == ["first", "second"]
    assert [body for body, _ in dropped.emitted] == ["first"]
    assert kept.shut_down == 1


def metric_points(data: MetricsData | None) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for resource_metrics in data.resource_metrics if data is not None else ():
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                points = found.setdefault(metric.name, [])
                points += [dict(point.attributes or {}) for point in metric.data.data_points]
    return found


@needs_sdk
def test_a_metric_reader_instance_receives_every_collection_redacted() -> None:
    reader = InMemoryMetricReader()
    configure_telemetry(metric_exporters=[reader])
    # OpenTelemetry's own meter, as an instrumented library uses it: pynector's
    # facade never sees these attributes.
    counter = metrics.get_meter_provider().get_meter("instrumented").create_counter("logins")
    counter.add(1, {"route": "/login", "api_key": SECRET})
    assert metric_points(reader.get_metrics_data()) == {
        "logins": [{"route": "/login", "api_key": "[REDACTED]"}]
    }


@needs_sdk
def test_a_metric_exporter_instance_is_delivered_redacted() -> None:
    out = io.StringIO()
    exporter = ConsoleMetricExporter(out=out, formatter=lambda data: f"{metric_points(data)}\n")
    configure_telemetry(metric_exporters=["none", exporter])
    counter = metrics.get_meter_provider().get_meter("instrumented").create_counter("logins")
    counter.add(1, {"route": "/login", "password": SECRET})
    assert metrics.get_meter_provider().force_flush()  # type: ignore[attr-defined]
    assert out.getvalue() == "{'logins': [{'route': '/login', 'password': '[REDACTED]'}]}\n"


@needs_sdk
def test_without_redaction_a_reader_receives_what_was_measured() -> None:
    reader = InMemoryMetricReader()
    configure_telemetry(metric_exporters=[reader], redact=False)
    counter = metrics.get_meter_provider().get_meter("instrumented").create_counter("logins")
    counter.add(1, {"api_key": SECRET})
    assert metric_points(reader.get_metrics_data()) == {"logins": [{"api_key": SECRET}]}


@needs_sdk
def test_own_choices_keep_the_applications_order() -> None:
    first, second = InMemorySpanExporter(), Recorder()
    assert own_choices(["otlp", first, OTLP(), second, "none"], "traces") == [first, second]
    assert own_choices([first], "logs") == []


@needs_sdk
def test_doctor_lists_the_applications_instances_by_class() -> None:
    out = io.StringIO()
    code = run_doctor(
        out,
        trace_exporters=[SecretiveExporter(), Recorder()],
        log_exporters=[memory_logs()],
        metric_exporters=[InMemoryMetricReader()],
    )
    text = out.getvalue()
    assert code == 0, text
    assert SECRET not in text
    for line in (
        "  SecretiveExporter -> the application's own SpanExporter: delivered by pynector, "
        "not probed",
        "  Recorder -> the application's own SpanProcessor: as given",
        "  InMemoryLogRecordExporter -> the application's own LogRecordExporter: delivered by "
        "pynector, not probed",
        "  InMemoryMetricReader -> the application's own MetricReader: as given",
    ):
        assert line in text.splitlines(), text


def shut_down_in_time(provider: Any, deadline: float = 30.0) -> bool:
    """Shut *provider* down, as exit does; whether that returned within *deadline*."""
    thread = threading.Thread(target=provider.shutdown, daemon=True)
    thread.start()
    thread.join(deadline)
    return not thread.is_alive()


@needs_sdk
def test_an_exporter_whose_shutdown_never_returns_does_not_hang_the_exit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spans, collections = StuckSpanExporter(), StuckMetricExporter()
    configure_telemetry(trace_exporters=[spans], metric_exporters=[collections])
    get_meter("ownlib").create_counter("own.count").add(1)
    with tracer.start_as_current_span("last"):
        pass
    try:
        with caplog.at_level(logging.WARNING, logger="pynector.telemetry.export"):
            assert shut_down_in_time(trace.get_tracer_provider())
            assert shut_down_in_time(metrics.get_meter_provider())
    finally:
        spans.release.set()
        collections.release.set()
    assert (spans.exported, collections.exported) == (["last"], 1)
    assert [record.getMessage() for record in caplog.records] == [
        f"pynector: the application's {name} did not finish shutting down within 1s; "
        "it is left to finish on its own."
        for name in ("StuckSpanExporter", "StuckMetricExporter")
    ]


@needs_sdk
def test_an_instance_listed_twice_is_used_once() -> None:
    exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
    recorder = Recorder()
    configure_telemetry(
        trace_exporters=[exporter, recorder, exporter, recorder],
        metric_exporters=(reader, reader),
    )
    with tracer.start_as_current_span("once"):
        pass
    get_meter("ownlib").create_counter("own.count").add(1)
    trace.get_tracer_provider().shutdown()  # type: ignore[attr-defined]
    assert [span.name for span in exporter.get_finished_spans()] == ["once"]
    assert [span.name for span in recorder.ended] == ["once"]
    assert metric_points(reader.get_metrics_data()) == {"own.count": [{}]}


@needs_sdk
def test_a_reader_another_meter_provider_holds_costs_metrics_only(
    caught: list[warnings.WarningMessage],
) -> None:
    from opentelemetry.sdk.metrics import MeterProvider

    reader = SecretiveReader()
    held = MeterProvider(metric_readers=[reader])  # the application's, not set globally
    exporter = InMemorySpanExporter()
    configure_telemetry(trace_exporters=[exporter], metric_exporters=[reader])
    with tracer.start_as_current_span("still traced"):
        pass
    trace.get_tracer_provider().shutdown()  # type: ignore[attr-defined]
    assert [span.name for span in exporter.get_finished_spans()] == ["still traced"]
    (warning,) = telemetry_warnings(caught)
    assert "SecretiveReader" in warning
    assert SECRET not in warning
    held.shutdown()


@needs_sdk
def test_a_reader_the_sdk_refuses_costs_metrics_only(
    caught: list[warnings.WarningMessage],
) -> None:
    from dataclasses import dataclass

    @dataclass
    class Settings(InMemoryMetricReader):  # eq=True: unhashable, which the SDK cannot hold
        token: str = SECRET

        def __post_init__(self) -> None:
            super().__init__()

    exporter = InMemorySpanExporter()
    configure_telemetry(trace_exporters=[exporter], metric_exporters=[Settings()])
    with tracer.start_as_current_span("still traced"):
        pass
    trace.get_tracer_provider().shutdown()  # type: ignore[attr-defined]
    assert [span.name for span in exporter.get_finished_spans()] == ["still traced"]
    assert telemetry_warnings(caught) == [
        "Metrics could not be set up (TypeError); tracing and logging carry on without them."
    ]


@needs_sdk
def test_a_processor_that_raises_never_reaches_the_application(
    caught: list[warnings.WarningMessage],
) -> None:
    exporter = InMemorySpanExporter()
    configure_telemetry(trace_exporters=[FailingProcessor(), exporter])
    for name in ("first", "second"):
        with tracer.start_as_current_span(name):
            pass
    provider: Any = trace.get_tracer_provider()
    assert provider.force_flush() is False  # the processor's flush failed
    provider.shutdown()  # what exit runs
    assert [span.name for span in exporter.get_finished_spans()] == ["first", "second"]
    shown = telemetry_warnings(caught)
    assert shown == [
        f"The application's FailingProcessor failed in {method} (RuntimeError); pynector "
        "carries on without it there. This warning is shown once per processor and method."
        for method in ("on_start", "_on_ending", "on_end", "force_flush", "shutdown")
    ]


@needs_sdk
def test_a_log_processor_that_raises_costs_nothing_to_the_others(
    caught: list[warnings.WarningMessage],
) -> None:
    exporter = memory_logs()
    configure_telemetry(log_exporters=[FailingLogProcessor(), exporter])
    log.info("first")
    log.info("second")
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, LogExportHandler)]
    assert handler.provider.force_flush() is False  # the processor's flush failed
    handler.provider.shutdown()  # what exit runs
    assert bodies(exporter) == ["first", "second"]
    assert telemetry_warnings(caught) == [
        f"The application's FailingLogProcessor failed in {method} (RuntimeError); pynector "
        "carries on without it there. This warning is shown once per processor and method."
        for method in ("on_emit", "force_flush", "shutdown")
    ]


@needs_sdk
def test_a_reader_whose_shutdown_fails_is_one_warning_at_exit(
    caught: list[warnings.WarningMessage],
) -> None:
    reader = FailingReader()
    configure_telemetry(metric_exporters=[reader])
    get_meter("ownlib").create_counter("own.count").add(1)
    assert metric_points(reader.get_metrics_data()) == {"own.count": [{}]}
    metrics.get_meter_provider().shutdown()  # type: ignore[attr-defined]  # what exit runs
    assert telemetry_warnings(caught) == [
        "The application's FailingReader failed in shutdown (RuntimeError); pynector "
        "carries on without it there. This warning is shown once per processor and method."
    ]
