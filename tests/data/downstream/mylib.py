"""A small library instrumented with pynector, as a downstream project writes it."""

from __future__ import annotations

from collections.abc import Iterable

from pynector.telemetry import get_meter, get_telemetry
from pynector.telemetry.metrics import CallbackOptions, Observation

tracer, log = get_telemetry("mylib")

# Made at import time, before any test (and any capture) exists.
meter = get_meter("mylib")
fetches = meter.create_counter("mylib.fetches", unit="{fetch}")
connections: list[str] = []


def _open_connections(options: CallbackOptions) -> Iterable[Observation]:
    return [Observation(len(connections))]


meter.create_observable_up_down_counter("mylib.connections", [_open_connections])


def fetch(url: str, attempts: int = 2) -> str:
    with tracer.start_as_current_span("fetch", {"url": url}):
        for attempt in range(1, attempts):
            log.info("retrying", attempt=attempt)
        fetches.add(1, {"url": url})
        return "ok"
