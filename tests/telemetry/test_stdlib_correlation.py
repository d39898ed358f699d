"""Standard library log records carry trace_id and span_id inside spans."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import configure_telemetry, get_telemetry
from support.records import field

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("tests.stdlib_correlation")


def test_any_stdlib_logger_after_configure(caplog: pytest.LogCaptureFixture) -> None:
    from opentelemetry import trace

    configure_telemetry(trace_exporters=[])
    caplog.set_level(logging.INFO)
    other = logging.getLogger("some.other.library")
    other.info("outside")
    with tracer.start_as_current_span("work") as span:
        other.info("inside")
    outside, inside = caplog.records
    assert not hasattr(outside, "trace_id")
    assert isinstance(span, trace.Span)  # configured: a real span, not just the SpanLike protocol
    context = span.get_span_context()
    assert field(inside, "trace_id") == format(context.trace_id, "032x")
    assert field(inside, "span_id") == format(context.span_id, "016x")


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
    assert field(record, "tag") == "app"
    assert len(field(record, "trace_id")) == 32


@pytest.mark.requires_structlog
def test_facade_stdlib_path_correlates_when_the_application_set_a_provider(
    span_exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    # The application configured OpenTelemetry itself (no configure_telemetry,
    # structlog unconfigured): facade log records still carry the ids.
    caplog.set_level(logging.INFO, logger="tests.stdlib_correlation")
    with tracer.start_as_current_span("work"):
        log.info("inside", n=1)
    (record,) = caplog.records
    (span,) = span_exporter.get_finished_spans()
    assert field(record, "trace_id") == format(span.context.trace_id, "032x")
    assert field(record, "span_id") == format(span.context.span_id, "016x")
    assert field(record, "event_fields") == {"n": 1}
