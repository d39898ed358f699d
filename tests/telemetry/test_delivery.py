"""Delivery guarantees, proven against a real OTLP collector on 127.0.0.1.

Each test runs an application in a fresh interpreter, configured only
through ``OTEL_*`` variables, and reads back what the collector received.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest

from support.collector import free_port
from support.otlp_apps import PROTOCOLS, InteractiveApp, otlp_env, run_app
from support.processes import clean_env

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

# Emits `count` spans as trees of one "request" and nine "step" children,
# prints when its own work is done, and returns without any shutdown call.
NESTED_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.app")

def main(count):
    configure_telemetry()
    for i in range(count // 10):
        with tracer.start_as_current_span("request", {"i": i, "kind": "root"}):
            for j in range(9):
                with tracer.start_as_current_span("step", {"i": i, "j": j}):
                    pass
    print(f"done {time.time()}", flush=True)

main(int(sys.argv[1]))
"""

# 1,000 concurrent tasks, each opening `per_task` spans around awaits.
BURST_APP = """
import asyncio, sys, time
from pynector.telemetry import configure_telemetry, get_telemetry
from pynector.telemetry.context import traced_gather

tracer, log = get_telemetry("delivery.burst")

async def task(n, per_task):
    for k in range(per_task):
        with tracer.start_as_current_span("work", {"task": n, "k": k}):
            await asyncio.sleep(0)

async def main(tasks, per_task):
    configure_telemetry()
    await asyncio.gather(*(task(n, per_task) for n in range(tasks)))
    print(f"done {time.time()}", flush=True)

asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
"""


# Spans made by exit hooks: one registered before configure_telemetry (a
# library closing its pool on exit), one after, and one span in main.  With
# argv[1] "logging", logging is imported first (its exit hook registered
# before pynector's); with "pynector", only by configure_telemetry.
EXIT_HOOKS_APP = """
import atexit, sys, time
if sys.argv[1] == "logging":
    import logging
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("app")

def span(name):
    with tracer.start_as_current_span(name):
        pass

atexit.register(span, "pool closed")
configure_telemetry()
atexit.register(span, "draining")
span("working")
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("first", ["logging", "pynector"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_spans_made_by_exit_hooks_arrive(collector: Collector, protocol: str, first: str) -> None:
    result, exit_seconds = run_app(EXIT_HOOKS_APP, [first], otlp_env(collector, protocol))
    assert result.stderr == ""
    collector.wait_for(3)
    time.sleep(0.3)  # nothing more may arrive
    names = sorted(span["name"] for span in collector.spans())
    assert names == ["draining", "pool closed", "working"]
    print(f"{protocol}, {first} first: 3 sent, {len(names)} received, exit {exit_seconds:.2f}s")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_nothing_lost_at_exit(collector: Collector, protocol: str) -> None:
    result, exit_seconds = run_app(NESTED_APP, ["10000"], otlp_env(collector, protocol))
    spans = collector.wait_for(10_000)
    assert len(spans) == 10_000, f"received {len(spans)}; stderr: {result.stderr}"
    assert result.stderr == ""
    by_id = {span["span_id"]: span for span in spans}
    assert len(by_id) == 10_000
    names = Counter(span["name"] for span in spans)
    assert names == {"request": 1_000, "step": 9_000}
    for span in spans:
        assert span["service"] == "delivery-test"
        if span["name"] == "request":
            assert span["parent_span_id"] is None
            assert span["attributes"]["kind"] == "root"
        else:
            parent = by_id[span["parent_span_id"]]
            assert parent["name"] == "request"
            assert parent["trace_id"] == span["trace_id"]
            assert parent["attributes"]["i"] == span["attributes"]["i"]
            assert 0 <= span["attributes"]["j"] < 9
    print(f"{protocol}: 10000 sent, {len(spans)} received, exit {exit_seconds:.2f}s after main")


def test_burst_from_concurrent_tasks_is_delivered(collector: Collector) -> None:
    result, _ = run_app(BURST_APP, ["1000", "20"], otlp_env(collector, "http/protobuf"))
    spans = collector.wait_for(20_000)
    assert len(spans) == 20_000, result.stderr
    assert len({(s["attributes"]["task"], s["attributes"]["k"]) for s in spans}) == 20_000
    assert result.stderr == ""


def test_spans_past_the_queue_bound_are_counted_and_reported_once(collector: Collector) -> None:
    env = otlp_env(collector, "http/protobuf", OTEL_BSP_MAX_QUEUE_SIZE="500")
    result, _ = run_app(BURST_APP, ["1000", "5"], env)
    reports = [line for line in result.stderr.splitlines() if "not delivered" in line]
    assert len(reports) == 1, result.stderr
    report = re.search(
        r"(\d+) of 5000 spans were not delivered .*: (\d+) dropped because the export queue "
        r"was full \(OTEL_BSP_MAX_QUEUE_SIZE=500\)\.",
        reports[0],
    )
    assert report, reports[0]
    lost, dropped = int(report[1]), int(report[2])
    assert lost == dropped > 0
    received = collector.wait_for(5000 - dropped)
    time.sleep(0.3)  # nothing more may arrive
    assert len(collector.spans()) == len(received) == 5000 - dropped
    print(f"queue of 500: {dropped} dropped and reported, {len(received)} delivered")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_dead_collector_costs_one_warning_and_a_quick_exit(protocol: str) -> None:
    refused = free_port()  # nothing listens there
    result, exit_seconds = run_app(NESTED_APP, ["1000"], otlp_env(refused, protocol))
    lines = result.stderr.splitlines()
    assert len(lines) <= 1, result.stderr
    assert "Traceback" not in result.stderr
    if lines:
        assert "1000 of 1000 spans were not delivered" in lines[0]
    assert exit_seconds < 2.0, f"exited {exit_seconds:.2f}s after main"
    print(f"{protocol}: dead collector, exit {exit_seconds:.2f}s after main; {lines}")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_collector_dies_and_comes_back(collector: Collector, protocol: str) -> None:
    env = otlp_env(
        collector,
        protocol,
        OTEL_BSP_SCHEDULE_DELAY="100",
        OTEL_EXPORTER_OTLP_TIMEOUT="1500",
    )
    app = InteractiveApp(env)
    try:
        assert app.command("emit 100 before") == "emitted before"
        assert app.command("flush") == "flushed True"
        # Accepted is not yet written: let the collector finish with them before it dies.
        assert len(collector.wait_for(100)) == 100
        collector.kill()
        assert app.command("emit 100 during") == "emitted during"
        time.sleep(1.0)  # the outage
        collector.start()  # same ports
        assert app.command("emit 100 after") == "emitted after"
        assert len(collector.wait_for(300, timeout=30)) == 300
        exit_seconds, stderr = app.quit()
    finally:
        app.kill()
    assert exit_seconds < 2.0
    assert "Traceback" not in stderr
    assert "not delivered" not in stderr
    phases = Counter((span["name"], span["attributes"]["i"]) for span in collector.spans())
    assert phases == {(phase, i): 1 for phase in ("before", "during", "after") for i in range(100)}
    print(f"{protocol}: received all 300, exit {exit_seconds:.2f}s; stderr: {stderr!r}")


class _ZipkinReceiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(self.rfile.read(length))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_zipkin_receives_valid_json_v2() -> None:
    _ZipkinReceiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ZipkinReceiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = clean_env(
            {
                "OTEL_SERVICE_NAME": "zipkin-test",
                "OTEL_TRACES_EXPORTER": "zipkin",
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT": (
                    f"http://127.0.0.1:{server.server_port}/api/v2/spans"
                ),
            }
        )
        result, _ = run_app(NESTED_APP, ["20"], env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.stderr == ""
    spans = [span for body in _ZipkinReceiver.bodies for span in json.loads(body)]
    assert len(spans) == 20
    by_id = {span["id"]: span for span in spans}
    for span in spans:
        assert len(span["traceId"]) == 32
        assert len(span["id"]) == 16
        assert span["localEndpoint"]["serviceName"] == "zipkin-test"
        assert isinstance(span["timestamp"], int)
        assert isinstance(span["duration"], int)
        if span["name"] == "step":
            assert by_id[span["parentId"]]["name"] == "request"
            assert span["tags"]["j"].isdigit()
        else:
            assert "parentId" not in span


def test_console_exporter_writes_one_record_per_span() -> None:
    env = clean_env({"OTEL_TRACES_EXPORTER": "console-lines", "PYNECTOR_CONSOLE_STREAM": "stdout"})
    result, _ = run_app(NESTED_APP, ["20"], env)
    records = [line for line in result.stdout.splitlines() if line.startswith("span ")]
    assert len(records) == 20
    assert sum("span 'step'" in line for line in records) == 18


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_collector_dying_mid_stream_does_not_hold_up_exit(
    collector: Collector, protocol: str
) -> None:
    # Default configuration: the first spans are delivered (the collector is
    # known healthy), then it dies and the process ends with spans in flight.
    app = InteractiveApp(otlp_env(collector, protocol))
    try:
        assert app.command("emit 1024 before") == "emitted before"  # two full batches
        assert app.command("flush") == "flushed True"
        assert len(collector.wait_for(1024)) == 1024
        collector.kill()
        assert app.command("emit 1000 lost") == "emitted lost"
        exit_seconds, stderr = app.quit(timeout=30)
    finally:
        app.kill()
    assert exit_seconds < 2.0, f"exited {exit_seconds:.2f}s after main; {stderr}"
    assert "Traceback" not in stderr
    reports = [line for line in stderr.splitlines() if "not delivered" in line]
    assert len(reports) == 1, stderr
    assert "1000 of 2024 spans were not delivered" in reports[0]
    print(f"{protocol}: died mid-stream, exit {exit_seconds:.2f}s after main; {reports[0]}")


# Twenty spans; argv[1] says where the capitalised Authorization header is set.
HEADERS_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry
from pynector.telemetry.exporters import OTLP

tracer, log = get_telemetry("delivery.headers")
if sys.argv[1] == "argument":
    configure_telemetry(trace_exporters=[OTLP(headers={"Authorization": "Bearer x"})])
else:
    configure_telemetry()
for i in range(20):
    with tracer.start_as_current_span("span", {"i": i}):
        pass
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("where", ["environment", "argument"])
def test_capitalised_header_names_work_over_grpc(collector: Collector, where: str) -> None:
    # gRPC metadata keys must be lower-case; vendors document "Authorization=...".
    env = otlp_env(collector, "grpc", OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer%20x")
    if where == "argument":
        del env["OTEL_EXPORTER_OTLP_HEADERS"]
    result, _ = run_app(HEADERS_APP, [where], env)
    assert sorted(s["attributes"]["i"] for s in collector.wait_for(20)) == list(range(20))
    assert result.stderr == ""


def test_the_authorization_header_reaches_a_grpc_collector() -> None:
    from support.servers import authenticating_grpc_server

    with authenticating_grpc_server() as url:
        env = clean_env(
            {
                "OTEL_TRACES_EXPORTER": "otlp",
                "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
                "OTEL_EXPORTER_OTLP_ENDPOINT": url,
                "OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%20s3cret",
            }
        )
        result, _ = run_app(HEADERS_APP, ["environment"], env)
    assert result.stderr == ""  # accepted: nothing reported as not delivered
