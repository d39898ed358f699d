"""Standard library log records carry OpenTelemetry's otel* attributes, on every record."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pynector.telemetry import configure_telemetry, get_telemetry

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("tests.stdlib_correlation")

OUTSIDE = {"otelTraceID": "0", "otelSpanID": "0", "otelTraceSampled": False}


def ids_of(span: Any) -> dict[str, object]:
    context = span.get_span_context()
    return {
        "otelTraceID": format(context.trace_id, "032x"),
        "otelSpanID": format(context.span_id, "016x"),
        "otelTraceSampled": True,
    }


def fields_of(record: logging.LogRecord) -> dict[str, object]:
    return {
        name: getattr(record, name) for name in ("otelTraceID", "otelSpanID", "otelTraceSampled")
    }


@pytest.fixture
def formatted() -> Iterator[Callable[[str], str]]:
    """Attach a handler formatting with a given format to the root logger; read it back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.INFO)

    def set_format(fmt: str) -> str:
        handler.setFormatter(logging.Formatter(fmt))
        return stream.getvalue()

    yield set_format
    root.removeHandler(handler)
    root.setLevel(previous_level)


def test_every_record_of_any_logger_after_configure(caplog: pytest.LogCaptureFixture) -> None:
    configure_telemetry(service_name="shop", trace_exporters=[])
    caplog.set_level(logging.INFO)
    other = logging.getLogger("some.other.library")
    other.info("outside")
    with tracer.start_as_current_span("work") as span:
        other.info("inside")
    outside, inside = caplog.records
    assert fields_of(outside) == OUTSIDE
    assert fields_of(inside) == ids_of(span)
    assert outside.otelServiceName == inside.otelServiceName == "shop"  # type: ignore[attr-defined]


def test_unsampled_spans_say_so(caplog: pytest.LogCaptureFixture) -> None:
    configure_telemetry(trace_exporters=[], sampler="always_off")
    caplog.set_level(logging.INFO)
    with tracer.start_as_current_span("dropped"):
        logging.getLogger("x").info("inside")
    (record,) = caplog.records
    assert record.otelTraceSampled is False  # type: ignore[attr-defined]


def test_a_format_using_the_fields_works_outside_spans(
    formatted: Callable[[str], str],
) -> None:
    configure_telemetry(service_name="shop", trace_exporters=[])
    formatted("%(otelServiceName)s %(otelTraceID)s %(otelSpanID)s %(message)s")
    logging.getLogger("app").info("outside")
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("app").info("inside")
    trace_id, span_id = ids_of(span)["otelTraceID"], ids_of(span)["otelSpanID"]
    assert formatted("%(message)s").splitlines() == [
        "shop 0 0 outside",
        f"shop {trace_id} {span_id} inside",
    ]


def test_the_applications_own_trace_id_extra_does_not_collide(
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_telemetry(trace_exporters=[])
    caplog.set_level(logging.INFO)
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("app").info("x", extra={"trace_id": "mine", "span_id": "also mine"})
    (record,) = caplog.records
    assert record.trace_id == "mine"  # type: ignore[attr-defined]
    assert record.span_id == "also mine"  # type: ignore[attr-defined]
    assert fields_of(record) == ids_of(span)


def test_existing_record_factory_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()

    def tagging_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.tag = "app"
        return record

    logging.setLogRecordFactory(tagging_factory)
    configure_telemetry(trace_exporters=[])
    configure_telemetry(trace_exporters=[])  # installing twice does not stack
    caplog.set_level(logging.INFO)
    with tracer.start_as_current_span("work"):
        logging.getLogger("x").info("hello")
    (record,) = caplog.records
    assert record.tag == "app"  # type: ignore[attr-defined]
    assert len(record.otelTraceID) == 32  # type: ignore[attr-defined]


def test_a_broken_current_span_never_breaks_logging(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry import trace

    configure_telemetry(trace_exporters=[])
    caplog.set_level(logging.INFO)

    def broken() -> Any:
        raise RuntimeError("no context today")

    monkeypatch.setattr(trace, "get_current_span", broken)
    logging.getLogger("x").info("still logged")
    (record,) = caplog.records
    assert fields_of(record) == OUTSIDE


def test_facade_stdlib_path_correlates_when_the_application_set_a_provider(
    span_exporter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # The application configured OpenTelemetry itself (no configure_telemetry,
    # structlog unconfigured or absent): facade log records still carry the fields.
    caplog.set_level(logging.INFO, logger="tests.stdlib_correlation")
    log.info("outside", n=0)
    with tracer.start_as_current_span("work") as span:
        log.info("inside", n=1)
    outside, inside = caplog.records
    assert fields_of(outside) == OUTSIDE
    assert fields_of(inside) == ids_of(span)
    assert inside.event_fields == {"n": 1}  # type: ignore[attr-defined]


@pytest.mark.requires_structlog
def test_facade_stdlib_path_with_opentelemetrys_logging_instrumentation(
    span_exporter: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # OpenTelemetry's own instrumentation sets the same attributes from its
    # record factory; the facade must not pass them again as extra= (which
    # makes logging raise "Attempt to overwrite").
    from opentelemetry.instrumentation.logging import LoggingInstrumentor

    instrumentor = LoggingInstrumentor()
    instrumentor.instrument(inject_trace_context=True)
    try:
        caplog.set_level(logging.INFO, logger="tests.stdlib_correlation")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(logging, "raiseExceptions", True)
            with tracer.start_as_current_span("work") as span:
                log.info("inside", n=1)
    finally:
        instrumentor.uninstrument()
    (record,) = caplog.records
    assert record.getMessage() == "inside n=1"
    assert fields_of(record) == ids_of(span)
