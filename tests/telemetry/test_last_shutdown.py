"""The exports are shut down after the exit hooks, once, logs and spans before metrics.

Each test runs a fresh interpreter whose shutdowns print what they do; the
delivery itself, against the real collector, is proven in
``test_delivery``, ``test_log_delivery`` and ``test_metric_delivery``.
"""

from __future__ import annotations

import pytest

from support.processes import run_python

pytestmark = pytest.mark.requires_otel

# Shutdowns registered in the reverse of their stages' order, between two
# exit hooks; FIRST says what is imported first, RECONFIGURE whether the
# application reconfigures logging (dictConfig forgets every handler).
ORDER_APP = """
import atexit
if FIRST == "logging":
    import logging
import pynector.telemetry

atexit.register(print, "hook registered before", flush=True)
from pynector.telemetry._export.last_shutdown import shut_down_last

for stage in ("metrics", "spans", "logs"):
    shut_down_last(lambda stage=stage: print("shut down", stage, flush=True), stage)
cancelled = shut_down_last(lambda: print("cancelled ran", flush=True), "spans")
cancelled()
if RECONFIGURE == "dictConfig":
    import logging.config
    logging.config.dictConfig({"version": 1, "root": {"level": "INFO"}})
atexit.register(print, "hook registered after", flush=True)
"""


@pytest.mark.parametrize("reconfigure", ["dictConfig", "none"])
@pytest.mark.parametrize("first", ["logging", "pynector"])
def test_shutdowns_run_once_after_every_exit_hook_in_stage_order(
    first: str, reconfigure: str
) -> None:
    result = run_python(f"FIRST, RECONFIGURE = {first!r}, {reconfigure!r}\n{ORDER_APP}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "hook registered after",
        "hook registered before",
        "shut down logs",
        "shut down spans",
        "shut down metrics",
    ]


# The application shuts the tracer provider down itself: its own processor
# is not shut down a second time at exit.
EXPLICIT_APP = """
from opentelemetry import trace
from opentelemetry.sdk.trace import SpanProcessor
from pynector.telemetry import configure_telemetry

class Mine(SpanProcessor):
    def shutdown(self):
        print("processor shut down", flush=True)

configure_telemetry(trace_exporters=[Mine()])
trace.get_tracer_provider().shutdown()
"""


def test_a_provider_the_application_shut_down_is_not_shut_down_again() -> None:
    result = run_python(EXPLICIT_APP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["processor shut down"]
    assert result.stderr == ""
