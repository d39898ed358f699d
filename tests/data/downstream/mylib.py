"""A small library instrumented with pynector, as a downstream project writes it."""

from __future__ import annotations

from pynector.telemetry import get_telemetry

tracer, log = get_telemetry("mylib")


def fetch(url: str, attempts: int = 2) -> str:
    with tracer.start_as_current_span("fetch", {"url": url}):
        for attempt in range(1, attempts):
            log.info("retrying", attempt=attempt)
        return "ok"
