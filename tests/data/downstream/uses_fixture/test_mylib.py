"""A downstream project's tests that use pynector's telemetry_capture fixture."""

from __future__ import annotations

from mylib import connections, fetch

from pynector.telemetry.testing import TelemetryCapture, capture_telemetry


def test_fetch_opens_a_span_and_logs_retrying_inside_it(
    telemetry_capture: TelemetryCapture,
) -> None:
    fetch("https://example.test")
    span = telemetry_capture.find("fetch", url="https://example.test")
    assert [entry["event"] for entry in telemetry_capture.logs_in(span)] == ["retrying"]


def test_each_test_starts_empty(telemetry_capture: TelemetryCapture) -> None:
    assert telemetry_capture.spans == []
    assert telemetry_capture.logs == []
    assert telemetry_capture.find_metrics("mylib.fetches") == []  # the test above fetched


def test_fetches_are_counted_by_instruments_made_at_import_time(
    telemetry_capture: TelemetryCapture,
) -> None:
    fetch("https://example.test")
    fetch("https://example.test")
    fetch("https://other.test")
    point = telemetry_capture.metric("mylib.fetches", url="https://example.test")
    assert (point["kind"], point["unit"], point["value"]) == ("counter", "{fetch}", 2)


def test_observable_callbacks_run_when_the_test_reads(telemetry_capture: TelemetryCapture) -> None:
    connections.append("db")
    try:
        point = telemetry_capture.metric("mylib.connections")
    finally:
        connections.clear()
    assert (point["kind"], point["value"]) == ("observable_up_down_counter", 1)


def test_deterministic_snapshot(telemetry_capture: TelemetryCapture) -> None:
    telemetry_capture.deterministic = True
    fetch("https://example.test", attempts=3)
    assert telemetry_capture.span_tree() == [
        {
            "name": "fetch",
            "attributes": {"url": "https://example.test"},
            "status": "UNSET",
            "logs": ["retrying", "retrying"],
            "children": [],
        }
    ]
    (span,) = telemetry_capture.spans
    assert (span["span_id"], span["start"], span["end"]) == ("0000000000000001", 10**9, 4 * 10**9)


def test_the_context_manager_for_other_runners() -> None:
    with capture_telemetry() as capture:
        fetch("https://other.test")
    assert capture.find("fetch")["attributes"] == {"url": "https://other.test"}
