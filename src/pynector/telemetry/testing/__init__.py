"""Assert on the spans, logs and metrics your code emits.

For pytest, the ``telemetry_capture`` fixture comes with pynector (a
``pytest11`` plugin; it does nothing until a test asks for the fixture)::

    def test_fetch_retries(telemetry_capture):
        fetch("https://example.test")
        span = telemetry_capture.find("fetch", url="https://example.test")
        assert [log["event"] for log in telemetry_capture.logs_in(span)] == ["retrying"]
        assert telemetry_capture.metric("mylib.fetches", url="https://example.test") == {
            "name": "mylib.fetches", "kind": "counter", "unit": "{fetch}",
            "description": "", "scope": "mylib",
            "attributes": {"url": "https://example.test"}, "value": 1,
        }

Other runners use the context manager::

    with capture_telemetry(deterministic=True) as capture:
        fetch("https://example.test")
    assert capture.span_tree() == [
        {"name": "fetch", "attributes": {"url": "https://example.test"},
         "status": "UNSET", "logs": ["retrying"], "children": []},
    ]

Each capture starts empty and sees only the spans started, the logs made
and the measurements recorded while it is active, whether or not a tracer
or meter provider was set earlier in the process (see :mod:`._spans` and
:mod:`._metrics`).

:attr:`TelemetryCapture.metrics` holds one dict per instrument and
attribute set: ``name``, ``kind``, ``unit``, ``description``, ``scope``,
``attributes``, and ``value`` (a counter's total during the capture, a
gauge's or an observable instrument's last value) or, for a histogram,
``count``, ``sum``, ``min``, ``max`` and ``buckets``.  Instruments a
library made at import time, with ``meter = get_meter(__name__)`` at
module level, are captured like any other.  Observable instruments'
callbacks run when the test reads the metrics, and once as the capture
ends; :meth:`TelemetryCapture.metric` returns the one point with a name
and attributes, or fails listing every point captured.

Without OpenTelemetry it captures no spans and no metrics, and says why in
:attr:`TelemetryCapture.spans_unavailable` and
:attr:`~TelemetryCapture.metrics_unavailable`, in the repr of the empty
lists and in assertion messages.
"""

from __future__ import annotations

from ._capture import CapturedList, TelemetryCapture, capture_telemetry

__all__ = ["CapturedList", "TelemetryCapture", "capture_telemetry"]
