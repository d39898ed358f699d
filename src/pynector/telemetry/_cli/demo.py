"""The workload behind ``python -m pynector.telemetry demo``.

A small "inventory" library instrumented the way a library author would,
and an application that turns telemetry on: concurrent lookups through
``traced_gather``, a cache refresh in a task group, and one lookup that
fails.  Spans go to the console (or wherever ``OTEL_TRACES_EXPORTER``
says); log lines carry the trace and span ids of the span they were
written in.
"""

from __future__ import annotations

import asyncio
import os
import sys

from .. import configure_telemetry, get_telemetry
from ..context import traced_async_operation, traced_gather, traced_task_group

__all__ = ["run_demo"]

# --- the library: instrumented, never configures anything -------------------
tracer, log = get_telemetry("pynector.demo.inventory")

_STOCK = {"apple": 12, "pear": 0, "plum": 7}


class OutOfCatalogue(LookupError):
    """The item is not sold here."""


async def lookup(item: str) -> int:
    async with traced_async_operation(tracer, "inventory.lookup", {"item": item}) as span:
        await asyncio.sleep(0.01)
        if item not in _STOCK:
            raise OutOfCatalogue(item)
        span.set_attribute("stock", _STOCK[item])
        log.info("looked up", item=item, stock=_STOCK[item])
        return _STOCK[item]


async def refresh(region: str) -> None:
    async with traced_async_operation(tracer, "inventory.refresh", {"region": region}):
        await asyncio.sleep(0.005)
        log.info("cache refreshed", region=region)


# --- the application: decides where telemetry goes ---------------------------
async def _handle_order(items: list[str]) -> None:
    async with tracer.start_as_current_async_span("order", {"items": len(items)}):
        counts = await traced_gather(tracer, [lookup(i) for i in items], "lookup-all")
        log.info("order priced", total=sum(counts))
        async with traced_task_group(tracer, "refresh-caches") as group:
            group.start_soon(refresh, "eu", name="refresh eu")
            group.start_soon(refresh, "us", name="refresh us")
        try:
            await lookup("durian")
        except OutOfCatalogue as error:
            log.warning("item skipped", item=str(error), reason="not in catalogue")


def run_demo() -> int:
    """Configure telemetry for the console and run the workload; returns an exit code."""
    exporters = None if os.environ.get("OTEL_TRACES_EXPORTER") else ["console"]
    tracing = configure_telemetry(service_name="pynector-demo", trace_exporters=exporters)
    if not tracing:
        print(
            "pynector demo: OpenTelemetry is not installed, so spans are no-ops and "
            'nothing is printed. Install with: pip install "pynector[observability]"',
            file=sys.stderr,
        )
    asyncio.run(_handle_order(["apple", "pear", "plum"]))
    return 0
