"""Fails on purpose: the report must show what the test captured."""

from __future__ import annotations

from mylib import fetch

from pynector.telemetry.testing import TelemetryCapture


def test_wrong_expectation(telemetry_capture: TelemetryCapture) -> None:
    fetch("https://example.test")
    assert telemetry_capture.spans[0]["name"] == "get"
