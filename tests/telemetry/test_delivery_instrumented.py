"""An auto-instrumented application does not trace pynector's own exports.

``opentelemetry-instrument`` instruments ``requests`` and gRPC clients; the
OTLP exporters use them, so without OpenTelemetry's suppress-instrumentation
flag every export would be traced, exported, traced again, forever.  The
application here instruments both itself (what ``opentelemetry-instrument``
does for it), emits one span and makes one request of its own.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from support.otlp_apps import PROTOCOLS, otlp_env, run_app

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

INSTRUMENTED_APP = """
import sys, time
import requests
from opentelemetry import trace
from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from pynector.telemetry import configure_telemetry, get_telemetry

RequestsInstrumentor().instrument()
GrpcInstrumentorClient().instrument()
tracer, log = get_telemetry("delivery.instrumented")
configure_telemetry()
with tracer.start_as_current_span("work"):
    pass
provider = trace.get_tracer_provider()
assert provider.force_flush(30_000)
requests.get(sys.argv[1], timeout=10)  # the application's own request: traced
assert provider.force_flush(30_000)
assert provider.force_flush(30_000)  # nothing new: the exports made no spans
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_exports_are_not_traced_and_the_process_goes_quiet(
    collector: Collector, protocol: str
) -> None:
    own_request = f"{collector.http_endpoint}/"
    result, _ = run_app(INSTRUMENTED_APP, [own_request], otlp_env(collector, protocol))
    collector.wait_for(2)
    collector.stop()  # drains: everything the application sent is in now
    names = Counter(span["name"] for span in collector.spans())
    assert names == {"work": 1, "GET": 1}, names
    assert result.stderr == ""
    print(f"{protocol}: instrumented, received {dict(names)}")
