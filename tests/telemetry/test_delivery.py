"""Delivery guarantees, proven against a real OTLP collector on 127.0.0.1.

Each test runs an application in a fresh interpreter, configured only
through ``OTEL_*`` variables, and reads back what the collector received.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, ClassVar

import pytest

from support.collector import free_port
from support.processes import clean_env

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

PROTOCOLS = ["http/protobuf", "grpc"]

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


def otlp_env(collector_or_port: Collector | int, protocol: str, **extra: str) -> dict[str, str]:
    if isinstance(collector_or_port, int):
        port = collector_or_port
        endpoint = f"http://127.0.0.1:{port}"
    else:
        grpc = protocol == "grpc"
        endpoint = collector_or_port.grpc_endpoint if grpc else collector_or_port.http_endpoint
    return clean_env(
        {
            "OTEL_SERVICE_NAME": "delivery-test",
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            **extra,
        }
    )


def run_app(
    source: str, args: list[str], env: dict[str, str], timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run *source*; return (result, seconds from its 'done' line to its exit)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    exited = time.time()
    done_lines = [line for line in result.stdout.splitlines() if line.startswith("done ")]
    assert result.returncode == 0, result.stderr
    assert done_lines, result.stdout + result.stderr
    return result, exited - float(done_lines[-1].split()[1])


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


RESTART_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.restart")
configure_telemetry()
for line in sys.stdin:
    command, *rest = line.split()
    if command == "emit":
        count, phase = int(rest[0]), rest[1]
        for i in range(count):
            with tracer.start_as_current_span(phase, {"i": i}):
                pass
        print(f"emitted {phase}", flush=True)
    elif command == "quit":
        break
print(f"done {time.time()}", flush=True)
"""


def start_interactive_app(env: dict[str, str]) -> subprocess.Popen[str]:
    """RESTART_APP, driven line by line through its stdin."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(RESTART_APP)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_collector_dies_and_comes_back(collector: Collector, protocol: str) -> None:
    env = otlp_env(
        collector,
        protocol,
        OTEL_BSP_SCHEDULE_DELAY="100",
        OTEL_EXPORTER_OTLP_TIMEOUT="1500",
    )
    app = start_interactive_app(env)
    assert app.stdin is not None
    assert app.stdout is not None
    assert app.stderr is not None

    def command(text: str) -> None:
        assert app.stdin is not None
        assert app.stdout is not None
        app.stdin.write(text + "\n")
        app.stdin.flush()
        assert app.stdout.readline().startswith("emitted")

    try:
        command("emit 100 before")
        assert len(collector.wait_for(100)) == 100
        collector.kill()
        command("emit 100 during")
        time.sleep(1.0)
        collector.start()  # same ports
        command("emit 100 after")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = [s for s in collector.spans() if s["name"] == "after"]
            if len(after) == 100:
                break
            time.sleep(0.1)
        assert len(after) == 100
        app.stdin.write("quit\n")
        app.stdin.flush()
        app.stdin.close()
        done = app.stdout.readline()
        assert done.startswith("done ")
        app.wait(timeout=10)
        exit_seconds = time.time() - float(done.split()[1])
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0
    assert exit_seconds < 2.0
    stderr = app.stderr.read()
    assert "Traceback" not in stderr
    phases = Counter(span["name"] for span in collector.spans())
    print(f"{protocol}: received {dict(phases)}, exit {exit_seconds:.2f}s; stderr: {stderr!r}")


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
    app = start_interactive_app(otlp_env(collector, protocol))
    assert app.stdin is not None
    assert app.stdout is not None
    assert app.stderr is not None
    try:
        app.stdin.write("emit 1024 before\n")  # two full batches: exported at once
        app.stdin.flush()
        assert app.stdout.readline().startswith("emitted")
        assert len(collector.wait_for(1024)) == 1024
        collector.kill()
        app.stdin.write("emit 1000 lost\nquit\n")
        app.stdin.flush()
        app.stdin.close()
        assert app.stdout.readline().startswith("emitted")
        done = app.stdout.readline()
        app.wait(timeout=30)
        exit_seconds = time.time() - float(done.split()[1])
    finally:
        if app.poll() is None:
            app.kill()
    stderr = app.stderr.read()
    assert app.returncode == 0, stderr
    assert exit_seconds < 2.0, f"exited {exit_seconds:.2f}s after main; {stderr}"
    assert "Traceback" not in stderr
    reports = [line for line in stderr.splitlines() if "not delivered" in line]
    assert len(reports) == 1, stderr
    assert "1000 of 2024 spans were not delivered" in reports[0]
    print(f"{protocol}: died mid-stream, exit {exit_seconds:.2f}s after main; {reports[0]}")
