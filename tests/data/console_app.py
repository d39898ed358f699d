"""A fixed trace drawn by the console exporter as configured from settings.

Run by tests/telemetry/test_console_terminal.py with stderr on a terminal
(a pty) or a pipe; ids are 1, 2, 3... and times fixed, so the output is
exact.
"""

from __future__ import annotations

import sys
from datetime import UTC

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from pynector.telemetry._export.console_view import ConsoleTreeProcessor
from pynector.telemetry._export.settings import resolve_settings
from pynector.telemetry._export.span_processors import build_span_processors

sys.path.insert(0, sys.argv[1])  # the tests directory, for support.console
from support.console import sequential_ids

T0 = 1_700_000_000_000_000_000
MS = 1_000_000

((_, view),) = build_span_processors(resolve_settings(exporters=["console"]))
assert isinstance(view, ConsoleTreeProcessor)
view.timezone, view.clock, view.watch = UTC, lambda: T0, False
provider = TracerProvider(id_generator=sequential_ids())
provider.add_span_processor(view)
tracer = provider.get_tracer("app")

root = tracer.start_span("order", attributes={"items": 2}, start_time=T0)
with trace.use_span(root, end_on_exit=False):
    view.accept_log("info", "priced", {"total": 19}, time_ns=T0 + MS)
    failed = tracer.start_span("lookup", attributes={"item": "durian"}, start_time=T0 + 2 * MS)
    failed.set_status(trace.StatusCode.ERROR, "OutOfCatalogue: durian")
    failed.end(T0 + 3 * MS)
root.end(T0 + 4 * MS)
print("stdout stays the program's")
