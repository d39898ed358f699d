"""Metrics delivery, proven against a real OTLP collector on 127.0.0.1.

Each test runs an application in a fresh interpreter, configured only
through ``OTEL_*`` variables, whose instruments are made at import time,
before configuration, and which never calls a shutdown or flush: what the
collector receives was exported by the exit hooks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from typing import Any

import pytest

from support.collector import Collector, free_port
from support.metrics import latest
from support.otlp_apps import otlp_env, run_app

pytestmark = pytest.mark.requires_otel

PROTOCOLS = ["http/protobuf", "grpc"]

# A library's instruments, made before the application configures anything;
# one span around the histogram's values, whose ids the exemplars must carry.
APP = """
import os, sys, time
from pynector.telemetry import configure_telemetry, get_meter, get_telemetry
from pynector.telemetry.metrics import Observation

meter = get_meter("metrics.app", version="2.0")
requests = meter.create_counter("app.requests", unit="{request}", description="Requests")
duration = meter.create_histogram(
    "app.duration", unit="ms", explicit_bucket_boundaries_advisory=[1, 10, 100]
)
calls = []
def queue_length(options):
    calls.append(options)
    return [Observation(7, {"queue": "jobs"})]
queue = meter.create_observable_gauge("app.queue", callbacks=[queue_length])
tracer, _ = get_telemetry("metrics.app")

def main(count):
    configure_telemetry()
    for i in range(count):
        requests.add(1, {"route": "/b" if i % 4 == 0 else "/a"})
    with tracer.start_as_current_span("timed") as span:
        context = span.get_span_context()
        for value in (0.5, 5, 50, 500):
            duration.record(value, {"route": "/a"})
    print(f"span {context.trace_id:032x} {context.span_id:016x}", flush=True)
    print(f"done {time.time()}", flush=True)

main(int(sys.argv[1]))
"""


def metrics_env(collector_or_port: Collector | int, protocol: str, **extra: str) -> dict[str, str]:
    """Metrics (not spans, unless *extra* says so) over OTLP to *collector_or_port*."""
    settings = {"OTEL_SERVICE_NAME": "metrics-test", "OTEL_TRACES_EXPORTER": "none", **extra}
    return otlp_env(collector_or_port, protocol, OTEL_METRICS_EXPORTER="otlp", **settings)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_instruments_made_before_configuration_arrive_at_exit(
    collector: Collector, protocol: str
) -> None:
    env = metrics_env(collector, protocol, OTEL_TRACES_EXPORTER="otlp")
    result, exit_seconds = run_app(APP, ["1000"], env)
    assert result.stderr == ""
    trace_id, span_id = next(
        line.split()[1:] for line in result.stdout.splitlines() if line.startswith("span ")
    )
    counter = latest(collector.wait_for_metric("app.requests"))
    histogram = latest(collector.wait_for_metric("app.duration"))
    gauge = latest(collector.wait_for_metric("app.queue"))
    assert {key: point["value"] for key, point in counter.items()} == {
        (("route", "/a"),): 750,
        (("route", "/b"),): 250,
    }
    point = counter[(("route", "/a"),)]
    assert (point["service"], point["scope"], point["unit"]) == (
        "metrics-test",
        "metrics.app",
        "{request}",
    )
    assert point["kind"] == "Sum"
    assert point["monotonic"] is True
    ((_, timed),) = histogram.items()
    assert (timed["count"], timed["sum"], timed["min"], timed["max"]) == (4, 555.5, 0.5, 500)
    assert (timed["bounds"], timed["buckets"]) == ([1, 10, 100], [1, 1, 1, 1])
    assert timed["exemplars"], "a value recorded inside a span carries an exemplar"
    for exemplar in timed["exemplars"]:
        assert (exemplar["trace_id"], exemplar["span_id"]) == (trace_id, span_id)
    assert {key: point["value"] for key, point in gauge.items()} == {(("queue", "jobs"),): 7}
    print(f"{protocol}: 1000 adds and 4 values received; exit {exit_seconds:.2f}s after main")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_dead_collector_costs_one_line_and_about_a_second(protocol: str) -> None:
    refused = free_port()  # nothing listens there
    result, exit_seconds = run_app(APP, ["100"], metrics_env(refused, protocol))
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "metric collections were not delivered to OTLP" in lines[0]
    assert "Traceback" not in result.stderr
    assert exit_seconds < 2.0, f"exited {exit_seconds:.2f}s after main"
    print(f"{protocol}: dead collector, exit {exit_seconds:.2f}s after main; {lines[0]}")


# Counts made by exit hooks: one registered before configure_telemetry, one
# after, and one in main (argv[1]: which of logging and pynector comes first).
EXIT_HOOKS_APP = """
import atexit, sys, time
if sys.argv[1] == "logging":
    import logging
from pynector.telemetry import configure_telemetry, get_meter

closed = get_meter("app").create_counter("app.closed")
atexit.register(closed.add, 1, {"hook": "before"})
configure_telemetry()
atexit.register(closed.add, 1, {"hook": "after"})
closed.add(1, {"hook": "main"})
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("first", ["logging", "pynector"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_counts_made_by_exit_hooks_arrive(collector: Collector, protocol: str, first: str) -> None:
    result, exit_seconds = run_app(EXIT_HOOKS_APP, [first], metrics_env(collector, protocol))
    assert result.stderr == ""
    counts = {
        key: point["value"]
        for key, point in latest(collector.wait_for_metric("app.closed")).items()
    }
    assert counts == {(("hook", "before"),): 1, (("hook", "after"),): 1, (("hook", "main"),): 1}
    print(f"{protocol}, {first} first: 3 counts made, all received; exit {exit_seconds:.2f}s")


# Exports every 100 ms while it works, with delta temporality: the deltas
# of all exports add up to what was counted.
PERIODIC_APP = """
import time
from pynector.telemetry import configure_telemetry, get_meter

counter = get_meter("metrics.periodic").create_counter("periodic.ticks")
configure_telemetry()
deadline = time.monotonic() + 1.0
ticks = 0
while time.monotonic() < deadline:
    counter.add(1)
    ticks += 1
    time.sleep(0.001)
print(f"ticks {ticks}", flush=True)
print(f"done {time.time()}", flush=True)
"""


def test_periodic_exports_with_delta_temporality_add_up(collector: Collector) -> None:
    env = metrics_env(
        collector,
        "http/protobuf",
        OTEL_METRIC_EXPORT_INTERVAL="100",
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="delta",
    )
    result, _ = run_app(PERIODIC_APP, [], env)
    ticks = int(result.stdout.split()[1])
    collector.wait_for_metric("periodic.ticks")
    deadline = time.monotonic() + 15
    points = collector.wait_for_metric("periodic.ticks")
    while sum(point["value"] for point in points) < ticks and time.monotonic() < deadline:
        time.sleep(0.05)
        points = collector.wait_for_metric("periodic.ticks")
    assert sum(point["value"] for point in points) == ticks
    assert len(points) >= 3, "exported at each interval, not only at exit"
    assert all(point["temporality"].endswith("Delta") for point in points)


# Children started by multiprocessing leave through os._exit, skipping the
# exit hooks; a child of a bare os.fork leaves normally.
FORKING_APP = """
import multiprocessing, os, sys, time
from pynector.telemetry import configure_telemetry, get_meter

jobs = get_meter("metrics.workers").create_counter("workers.jobs")

def work(name, count):
    for _ in range(count):
        jobs.add(1, {"worker": name})

def main():
    configure_telemetry()
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=work, args=(f"mp-{n}", 10 + n)) for n in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    pid = os.fork()
    if pid == 0:
        work("forked", 5)
        sys.exit(0)
    os.waitpid(pid, 0)
    work("parent", 2)
    print(f"done {time.time()}", flush=True)

main()
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_forked_and_multiprocessing_children_export_their_last_interval(
    collector: Collector, protocol: str
) -> None:
    # Exports every 50 ms, so that the parent's exporter is in use when it forks.
    env = metrics_env(collector, protocol, OTEL_METRIC_EXPORT_INTERVAL="50")
    result, _ = run_app(FORKING_APP, [], env, timeout=60)
    assert result.stderr == ""
    expected = {"mp-0": 10, "mp-1": 11, "mp-2": 12, "forked": 5, "parent": 2}
    deadline = time.monotonic() + 15
    found: dict[str, int] = {}
    while found != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        found = {
            key[0][1]: point["value"]
            for key, point in latest(collector.wait_for_metric("workers.jobs")).items()
        }
    assert found == expected


SELF_METRICS_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, _ = get_telemetry("metrics.self")
configure_telemetry()
for i in range(int(sys.argv[1])):
    with tracer.start_as_current_span("work", {"i": i}):
        pass
print(f"done {time.time()}", flush=True)
"""


def by_error_type(points: list[dict[str, Any]]) -> dict[str | None, int]:
    """The latest value of pynector's processor's points, per ``error.type``."""
    values: dict[str | None, int] = defaultdict(int)
    for key, point in latest(points).items():
        attributes = dict(key)
        if attributes["otel.component.name"].startswith("batching_span_processor/pynector"):
            values[attributes.get("error.type")] += point["value"]
    return dict(values)


def test_the_delivering_processor_publishes_the_sdk_self_metrics(collector: Collector) -> None:
    env = metrics_env(
        collector,
        "http/protobuf",
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED="true",
        OTEL_BSP_MAX_QUEUE_SIZE="500",
    )
    result, _ = run_app(SELF_METRICS_APP, ["2000"], env)
    processed = by_error_type(collector.wait_for_metric("otel.sdk.processor.span.processed"))
    capacity = by_error_type(collector.wait_for_metric("otel.sdk.processor.span.queue.capacity"))
    size = by_error_type(collector.wait_for_metric("otel.sdk.processor.span.queue.size"))
    assert capacity == {None: 500}
    assert size == {None: 0}
    assert processed[None] + processed.get("queue_full", 0) == 2000
    assert processed[None] == len(collector.wait_for(processed[None]))
    assert processed.get("queue_full", 0) > 0, "a burst of 2,000 overflows a queue of 500"
    assert "dropped because the export queue was full" in result.stderr
    print(f"self-metrics: {processed}")


# Exports every 100 ms; the test kills the collector once exports arrived,
# then lets the application finish.
MIDSTREAM_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_meter

counter = get_meter("metrics.midstream").create_counter("midstream.ticks")
configure_telemetry()
counter.add(1)
print("exporting", flush=True)
sys.stdin.readline()  # the collector is gone now
counter.add(1)
time.sleep(0.3)  # an interval or more against the dead collector
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_collector_dying_mid_stream_costs_one_line_and_about_a_second(
    collector: Collector, protocol: str
) -> None:
    env = metrics_env(collector, protocol, OTEL_METRIC_EXPORT_INTERVAL="100")
    app = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(MIDSTREAM_APP)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert app.stdout is not None
    assert app.stdin is not None
    assert app.stdout.readline() == "exporting\n"
    assert collector.wait_for_metric("midstream.ticks"), "delivered while the collector lived"
    collector.kill()
    app.stdin.write("go\n")
    app.stdin.flush()
    stdout, stderr = app.communicate(timeout=60)
    exited = time.time()
    assert app.returncode == 0, stderr
    exit_seconds = exited - float(stdout.split()[-1])
    # What was collected after the collector died is kept and retried; when the
    # process leaves it is abandoned and reported, in the only line printed.
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "metric collections were not delivered" in lines[0]
    assert "still queued when the collector stopped answering" in lines[0]
    assert exit_seconds < 2.0, f"exited {exit_seconds:.2f}s after main"
    print(f"{protocol}: collector killed mid-stream, exit {exit_seconds:.2f}s after main")


# Instruments requests and gRPC clients, as opentelemetry-instrument does, and
# exports metrics every 50 ms: the exporters' own calls must not become spans.
INSTRUMENTED_APP = """
import time
from opentelemetry import trace
from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from pynector.telemetry import configure_telemetry, get_meter, get_telemetry

RequestsInstrumentor().instrument()
GrpcInstrumentorClient().instrument()
ticks = get_meter("metrics.instrumented").create_counter("instrumented.ticks")
tracer, _ = get_telemetry("metrics.instrumented")
configure_telemetry()
with tracer.start_as_current_span("work"):
    pass
for _ in range(10):
    ticks.add(1)
    time.sleep(0.05)
assert trace.get_tracer_provider().force_flush(30_000)
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_metric_exports_are_not_traced(collector: Collector, protocol: str) -> None:
    env = metrics_env(
        collector, protocol, OTEL_TRACES_EXPORTER="otlp", OTEL_METRIC_EXPORT_INTERVAL="50"
    )
    result, _ = run_app(INSTRUMENTED_APP, [], env)
    assert result.stderr == ""
    collector.wait_for(1)
    collector.stop()  # drains: everything the application sent is in now
    exports = {
        point["time"] for point in collector.metrics() if point["name"] == "instrumented.ticks"
    }
    assert len(exports) >= 3, "several metric exports went out while it ran"
    assert [span["name"] for span in collector.spans()] == ["work"]


# An observable instrument whose callback answers once, then never returns:
# the collecting thread is stuck in it, holding the SDK's collection lock.
STUCK_CALLBACK_APP = """
import threading, time
from pynector.telemetry import configure_telemetry, get_meter

meter = get_meter("metrics.stuck")
calls = []
answered = threading.Event()

def stuck(options):
    calls.append(1)
    if len(calls) > 1:
        answered.set()
        threading.Event().wait()  # forever
    return []

meter.create_observable_gauge("app.stuck", callbacks=[stuck])
counter = meter.create_counter("app.count")
configure_telemetry()
counter.add(5)
assert answered.wait(60), "the callback was called twice"
print(f"done {time.time()}", flush=True)
"""


def test_a_callback_that_never_returns_does_not_hang_the_exit(collector: Collector) -> None:
    env = metrics_env(
        collector,
        "http/protobuf",
        OTEL_METRIC_EXPORT_INTERVAL="100",
        OTEL_METRIC_EXPORT_TIMEOUT="1000",
    )
    result, exit_seconds = run_app(STUCK_CALLBACK_APP, [], env, timeout=60)
    counter = latest(collector.wait_for_metric("app.count"))
    assert {key: point["value"] for key, point in counter.items()} == {(): 5}
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "'app.stuck'" in lines[0]
    assert "Traceback" not in result.stderr
    print(f"stuck callback: exit {exit_seconds:.2f}s after main; {lines[0]}")


# A fork while the collecting thread is inside a (slow) callback: the child
# must not inherit the SDK's collection lock held by a thread it does not have.
FORK_IN_COLLECTION_APP = """
import os, sys, threading, time
from pynector.telemetry import configure_telemetry, get_meter
from pynector.telemetry.metrics import Observation

parent = os.getpid()
inside = threading.Event()

def slow(options):
    if os.getpid() == parent and not inside.is_set():
        inside.set()
        time.sleep(0.5)  # the fork below starts while this runs
    return [Observation(1)]

meter = get_meter("metrics.fork")
meter.create_observable_gauge("app.slow", callbacks=[slow])
counter = meter.create_counter("app.forked")
configure_telemetry()
assert inside.wait(60), "the callback was called"
pid = os.fork()
if pid == 0:
    counter.add(7, {"who": "child"})
    sys.exit(0)
assert os.waitpid(pid, 0)[1] == 0
counter.add(3, {"who": "parent"})
print(f"done {time.time()}", flush=True)
"""


def test_a_fork_during_a_collection_leaves_the_child_able_to_collect(
    collector: Collector,
) -> None:
    env = metrics_env(collector, "http/protobuf", OTEL_METRIC_EXPORT_INTERVAL="50")
    result, _ = run_app(FORK_IN_COLLECTION_APP, [], env, timeout=60)
    assert result.stderr == ""
    points = collector.wait_for_metric("app.forked")
    deadline = time.monotonic() + 15
    while len(latest(points)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        points = collector.wait_for_metric("app.forked")
    assert {key: point["value"] for key, point in latest(points).items()} == {
        (("who", "child"),): 7,
        (("who", "parent"),): 3,
    }
