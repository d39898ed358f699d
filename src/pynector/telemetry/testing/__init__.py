"""Assert on the spans and logs your code emits.

For pytest, the ``telemetry_capture`` fixture comes with pynector (a
``pytest11`` plugin; it does nothing until a test asks for the fixture)::

    def test_fetch_retries(telemetry_capture):
        fetch("https://example.test")
        span = telemetry_capture.find("fetch", url="https://example.test")
        assert [log["event"] for log in telemetry_capture.logs_in(span)] == ["retrying"]

Other runners use the context manager::

    with capture_telemetry(deterministic=True) as capture:
        fetch("https://example.test")
    assert capture.span_tree() == [
        {"name": "fetch", "attributes": {"url": "https://example.test"},
         "status": "UNSET", "logs": ["retrying"], "children": []},
    ]

Each capture starts empty and sees only the spans started and the logs
made while it is active, whether or not a tracer provider was set earlier
in the process (see :mod:`._spans`).  Without OpenTelemetry it captures no
spans, and says why in :attr:`TelemetryCapture.spans_unavailable`, in the
repr of the empty :attr:`~TelemetryCapture.spans` and in assertion
messages.  Metrics are not captured yet.
"""

from __future__ import annotations

from ._capture import CapturedList, TelemetryCapture, capture_telemetry

__all__ = ["CapturedList", "TelemetryCapture", "capture_telemetry"]
