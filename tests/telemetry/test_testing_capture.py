"""``pynector.telemetry.testing``: capture spans and logs in a test, whatever was set before."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY, HAS_STRUCTLOG, configure_telemetry, get_telemetry
from pynector.telemetry.testing import TelemetryCapture, capture_telemetry
from support.logs import without_root_handlers

tracer, log = get_telemetry("tests.capture")


def fetch(url: str, fail: bool = False) -> None:
    """A library call: one span, a log line inside it, a child span."""
    with tracer.start_as_current_span("fetch", {"url": url}):
        log.info("retrying", attempt=2)
        with tracer.start_as_current_span("parse", {"bytes": 10}):
            if fail:
                raise ValueError("bad payload")


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_spans_and_logs_as_plain_dicts_deterministic_on_request() -> None:
    with capture_telemetry(deterministic=True) as capture:
        fetch("https://example.test")
    assert capture.spans == [
        {
            "name": "fetch",
            "trace_id": "00000000000000000000000000000001",
            "span_id": "0000000000000001",
            "parent_id": None,
            "attributes": {"url": "https://example.test"},
            "status": "UNSET",
            "status_description": None,
            "events": [],
            "start": 1_000_000_000,
            "end": 5_000_000_000,
            "kind": "INTERNAL",
            "scope": "tests.capture",
        },
        {
            "name": "parse",
            "trace_id": "00000000000000000000000000000001",
            "span_id": "0000000000000002",
            "parent_id": "0000000000000001",
            "attributes": {"bytes": 10},
            "status": "UNSET",
            "status_description": None,
            "events": [],
            "start": 3_000_000_000,
            "end": 4_000_000_000,
            "kind": "INTERNAL",
            "scope": "tests.capture",
        },
    ]
    assert capture.logs == [
        {
            "event": "retrying",
            "level": "info",
            "logger": "tests.capture",
            "fields": {"attempt": 2},
            "trace_id": "00000000000000000000000000000001",
            "span_id": "0000000000000001",
            "timestamp": 2_000_000_000,
            "exception": None,
        }
    ]
    assert capture.format_tree() == (
        "--- trace 00000000000000000000000000000001 ---\n"
        "00:00:01.000     4.00 s         fetch  url='https://example.test'\n"
        "00:00:02.000             INFO     retrying  attempt=2\n"
        "00:00:03.000     1.00 s           parse  bytes=10\n"
    )


@pytest.mark.requires_otel
def test_real_ids_and_times_by_default() -> None:
    with capture_telemetry() as capture:
        fetch("u")
    fetch_span, parse_span = capture.spans
    assert parse_span["parent_id"] == fetch_span["span_id"]
    assert len(fetch_span["trace_id"]) == 32
    assert fetch_span["trace_id"] != "00000000000000000000000000000001"
    assert fetch_span["start"] <= parse_span["start"] <= parse_span["end"] <= fetch_span["end"]
    assert fetch_span["start"] > 1_600_000_000 * 10**9


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_helpers_find_spans_their_logs_and_the_tree() -> None:
    with capture_telemetry() as capture:
        fetch("a")
        with pytest.raises(ValueError, match="bad payload"):
            fetch("b", fail=True)
    span = capture.find("fetch", url="b")
    assert span["status"] == "ERROR"
    assert span["status_description"] == "ValueError: bad payload"
    assert [entry["event"] for entry in capture.logs_in(span)] == ["retrying"]
    assert len(capture.find_all("parse")) == 2
    assert len(capture.find_all(bytes=10)) == 2
    (failed_parse,) = capture.find_all("parse", bytes=10)[1:]
    assert [event["name"] for event in failed_parse["events"]] == ["exception"]
    assert capture.span_tree() == [
        {
            "name": "fetch",
            "attributes": {"url": "a"},
            "status": "UNSET",
            "logs": ["retrying"],
            "children": [
                {
                    "name": "parse",
                    "attributes": {"bytes": 10},
                    "status": "UNSET",
                    "logs": [],
                    "children": [],
                }
            ],
        },
        {
            "name": "fetch",
            "attributes": {"url": "b"},
            "status": "ERROR",
            "logs": ["retrying"],
            "children": [
                {
                    "name": "parse",
                    "attributes": {"bytes": 10},
                    "status": "ERROR",
                    "logs": [],
                    "children": [],
                }
            ],
        },
    ]


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_a_failed_lookup_shows_the_captured_tree() -> None:
    with capture_telemetry(deterministic=True) as capture:
        fetch("a")
    with pytest.raises(AssertionError) as failure:
        capture.find("fetch", url="z")
    assert str(failure.value) == (
        "expected exactly one span 'fetch' with {'url': 'z'}, found 0\n\n"
        "--- trace 00000000000000000000000000000001 ---\n"
        "00:00:01.000     4.00 s         fetch  url='a'\n"
        "00:00:02.000             INFO     retrying  attempt=2\n"
        "00:00:03.000     1.00 s           parse  bytes=10\n"
    )
    with pytest.raises(AssertionError, match="expected exactly one log 'gone', found 0"):
        capture.find_log("gone")


@pytest.mark.requires_otel
def test_each_capture_starts_empty_and_sees_only_its_own_spans() -> None:
    with capture_telemetry() as first:
        fetch("one")
    with tracer.start_as_current_span("between captures"):
        pass
    with capture_telemetry() as second:
        assert second.spans == []
        fetch("two")
    assert [span["attributes"].get("url") for span in first.spans] == ["one", None]
    assert [span["attributes"].get("url") for span in second.spans] == ["two", None]


@pytest.mark.requires_otel
def test_with_no_provider_a_test_provider_records_only_while_capturing() -> None:
    from opentelemetry import trace

    with capture_telemetry() as capture:
        assert tracer.is_enabled()
        with tracer.start_as_current_span("captured") as span:
            assert span.is_recording()
    with tracer.start_as_current_span("not captured") as span:
        assert not span.is_recording()  # the test provider drops spans between captures
    assert [span["name"] for span in capture.spans] == ["captured"]
    provider: Any = trace.get_tracer_provider()
    assert type(provider.sampler).__name__ == "WhileCapturing"


@pytest.mark.requires_otel
def test_with_the_applications_provider_its_exporters_keep_working(
    span_exporter: Any,
) -> None:
    with capture_telemetry() as capture:
        fetch("app")
    with capture_telemetry() as again:  # the hub is attached to the provider once
        fetch("again")
    assert [span["name"] for span in capture.spans] == ["fetch", "parse"]
    assert [span["name"] for span in again.spans] == ["fetch", "parse"]
    exported = [span.name for span in span_exporter.get_finished_spans()]
    assert exported == ["parse", "fetch", "parse", "fetch"]


@pytest.mark.requires_otel
def test_spans_still_open_are_listed_without_an_end() -> None:
    with capture_telemetry() as capture, tracer.start_as_current_span("open", {"k": 1}) as span:
        span.set_attribute("later", True)
        (seen,) = capture.spans
    assert (seen["name"], seen["end"], seen["attributes"]) == (
        "open",
        None,
        {"k": 1, "later": True},
    )


@pytest.mark.requires_otel
def test_a_provider_that_is_not_the_sdks_is_explained() -> None:
    from opentelemetry import trace

    trace.set_tracer_provider(trace.NoOpTracerProvider())
    with capture_telemetry() as capture:
        fetch("x")
    assert capture.spans == []
    assert capture.spans_unavailable == (
        "the global tracer provider is a NoOpTracerProvider, not the OpenTelemetry SDK's "
        "TracerProvider, so its spans cannot be observed"
    )
    assert repr(capture.spans).startswith("[]  (nothing captured: the global tracer provider")


@pytest.mark.requires_otel
def test_a_disabled_sdk_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    with capture_telemetry() as capture:
        fetch("x")
    assert capture.spans_unavailable == (
        "the OpenTelemetry SDK is disabled (OTEL_SDK_DISABLED=true)"
    )


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="the no-dependency configuration")
def test_without_opentelemetry_nothing_is_captured_and_the_capture_says_why() -> None:
    with capture_telemetry() as capture:
        fetch("x")
    reason = 'OpenTelemetry is not installed (pip install "pynector[observability]")'
    assert capture.spans_unavailable == reason
    assert capture.spans == []
    assert repr(capture.spans) == f"[]  (nothing captured: {reason})"
    with pytest.raises(AssertionError) as failure:
        capture.find("fetch")
    assert f"(no spans captured: {reason})" in str(failure.value)


@pytest.mark.skipif(HAS_STRUCTLOG, reason="the no-dependency configuration")
def test_without_structlog_log_calls_are_captured_through_the_standard_library() -> None:
    with capture_telemetry() as capture:
        log.warning("to the stdlib logger of its name", n=1)
        log.info("below the standard library's default level (WARNING)")
        logging.getLogger("plain").warning("stdlib %s", "record")
    assert [(e["event"], e["logger"], e["fields"]) for e in capture.logs] == [
        ("to the stdlib logger of its name", log.name, {"n": 1}),
        ("stdlib record", "plain", {}),
    ]
    assert capture.logs_unavailable is not None
    assert capture.logs_unavailable.startswith("below the standard library's levels")


@pytest.mark.requires_structlog
def test_unconfigured_structlog_is_captured_silently_then_left_unconfigured(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import structlog

    with capture_telemetry() as capture:
        log.debug("every level", n=1)
        structlog.get_logger("direct").info("straight through structlog")
    assert [(entry["event"], entry["level"]) for entry in capture.logs] == [
        ("every level", "debug"),
        ("straight through structlog", "info"),
    ]
    assert capsys.readouterr() == ("", "")
    assert not structlog.is_configured()


@pytest.mark.requires_structlog
def test_the_applications_structlog_keeps_writing_and_is_restored(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import structlog

    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():  # so that pynector adds its stderr handler
        configure_telemetry(trace_exporters=["none"], log_level="INFO")
        before = structlog.get_config()["processors"]
        with capture_telemetry() as capture:
            log.info("logged", password="hunter2")
            log.debug("below the application's level")
    assert [entry["event"] for entry in capture.logs] == ["logged"]
    assert capture.logs[0]["fields"] == {"password": "hunter2"}  # as the code passed it
    assert '"password": "[REDACTED]"' in capsys.readouterr().err  # the app's output
    assert structlog.get_config()["processors"] is before


def test_standard_library_records_are_captured_with_their_span() -> None:
    with capture_telemetry() as capture:
        logging.getLogger("plain").warning("outside")
        with tracer.start_as_current_span("op"):
            logging.getLogger("plain").error("inside %d", 1)
        try:
            raise KeyError("k")
        except KeyError:
            logging.getLogger("plain").exception("failed")
    outside, inside, failed = capture.logs
    assert (outside["event"], outside["level"], outside["span_id"]) == ("outside", "warning", None)
    assert (failed["level"], failed["exception"]) == ("error", "KeyError: 'k'")
    assert inside["event"] == "inside 1"
    recording = [h for h in logging.getLogger().handlers if type(h).__name__ == "_RecordingHandler"]
    assert recording == []  # the capture's handler is gone


@pytest.mark.requires_otel
def test_a_standard_library_record_carries_its_span() -> None:
    with capture_telemetry() as capture, tracer.start_as_current_span("op"):
        logging.getLogger("plain").error("inside")
    (span,) = capture.spans
    assert capture.logs[0]["span_id"] == span["span_id"]
    assert capture.logs[0]["trace_id"] == span["trace_id"]


def test_stdlib_capture_can_be_turned_off() -> None:
    with capture_telemetry(stdlib=False) as capture:
        logging.getLogger("plain").warning("not captured")
    assert capture.logs == []


def test_clear_forgets_what_was_captured() -> None:
    with capture_telemetry() as capture:
        logging.getLogger("plain").warning("first")
        capture.clear()
        logging.getLogger("plain").warning("second")
    assert [entry["event"] for entry in capture.logs] == ["second"]


def test_describe_says_when_nothing_was_captured() -> None:
    capture = TelemetryCapture()
    assert capture.describe() == "(nothing was captured)\n"
