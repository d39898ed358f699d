"""Forked processes deliver their own spans, never hang, and leave the parent's alone.

Real ``os.fork``, real ``multiprocessing`` (fork start method) and a real
collector, over HTTP and gRPC.  Every child is waited for with a deadline
and killed if it hangs; the tests count children that exited cleanly and
spans that arrived.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from support.otlp_apps import PROTOCOLS, otlp_env, run_app

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

# Two threads emit spans as fast as they can while the main thread forks
# argv[1] times; each child emits one span and exits.  A child that does not
# exit within 60 s is killed and reported as None.
FORK_STORM_APP = """
import json, os, signal, sys, threading, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.fork")
configure_telemetry()
stop = threading.Event()
emitted = [0, 0]

def emit(n):
    while not stop.is_set():
        with tracer.start_as_current_span("parent", {"thread": n, "i": emitted[n]}):
            pass
        emitted[n] += 1

def exit_code(pid, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None

threads = [threading.Thread(target=emit, args=(n,)) for n in range(2)]
for thread in threads:
    thread.start()
codes = []
for child in range(int(sys.argv[1])):
    pid = os.fork()
    if pid == 0:
        with tracer.start_as_current_span("child", {"child": child}):
            pass
        sys.exit(0)
    codes.append(exit_code(pid, 60))
stop.set()
for thread in threads:
    thread.join()
print("result " + json.dumps({"codes": codes, "parent": sum(emitted)}), flush=True)
print(f"done {time.time()}", flush=True)
"""

# Ten multiprocessing.Process children (fork), twenty spans each.  They
# leave through os._exit, where atexit handlers do not run.
PROCESS_APP = """
import json, multiprocessing, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.process")
configure_telemetry()

def work(n):
    for k in range(20):
        with tracer.start_as_current_span("work", {"process": n, "k": k}):
            pass

context = multiprocessing.get_context("fork")
processes = [context.Process(target=work, args=(n,)) for n in range(10)]
for process in processes:
    process.start()
for process in processes:
    process.join(60)
print("result " + json.dumps([process.exitcode for process in processes]), flush=True)
print(f"done {time.time()}", flush=True)
"""

# A Pool(4) mapping 200 short tasks, closed and joined.
POOL_APP = """
import json, multiprocessing, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.pool")
configure_telemetry()

def task(n):
    with tracer.start_as_current_span("task", {"n": n}):
        pass
    return n

pool = multiprocessing.get_context("fork").Pool(4)
results = pool.map(task, range(200))
pool.close()
pool.join()
print("result " + json.dumps(results), flush=True)
print(f"done {time.time()}", flush=True)
"""

# A prefork server (the gunicorn model): the master configures telemetry,
# forks four workers that serve "requests" until SIGTERM, then stops them.
# A worker ends gracefully on SIGTERM, as gunicorn's do.
PREFORK_APP = """
import json, os, signal, sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.prefork")
configure_telemetry()
with tracer.start_as_current_span("master", {"phase": "start"}):
    pass
ready_r, ready_w = os.pipe()
workers = []
for n in range(4):
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        served = 0
        while not stopping:
            with tracer.start_as_current_span("request", {"worker": n, "i": served}):
                pass
            served += 1
            if served == 50:
                os.write(ready_w, b"r")
            time.sleep(0.001)
        # One write(2) per line: four workers share the pipe, and an
        # unbuffered print (PYTHONUNBUFFERED) writes the newline separately.
        os.write(1, f"served {n} {served}\\n".encode())
        sys.exit(0)
    workers.append(pid)
os.close(ready_w)
ready = 0
while ready < 4:
    ready += len(os.read(ready_r, 4))
for pid in workers:
    os.kill(pid, signal.SIGTERM)
deadline = time.monotonic() + 60
codes = {}
while len(codes) < len(workers) and time.monotonic() < deadline:
    for pid in workers:
        if pid not in codes:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                codes[pid] = os.waitstatus_to_exitcode(status)
    time.sleep(0.01)
for pid in workers:
    if pid not in codes:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        codes[pid] = None
with tracer.start_as_current_span("master", {"phase": "stop"}):
    pass
print("result " + json.dumps(list(codes.values())), flush=True)
print(f"done {time.time()}", flush=True)
"""


def result_of(stdout: str) -> Any:
    (line,) = [line for line in stdout.splitlines() if line.startswith("result ")]
    return json.loads(line.removeprefix("result "))


def assert_quiet(stderr: str) -> None:
    """No loss reported, no traceback, no gRPC fork complaint."""
    assert "not delivered" not in stderr, stderr
    assert "Traceback" not in stderr, stderr
    assert "fork" not in stderr, stderr


def without_coverage(env: dict[str, str]) -> dict[str, str]:
    """*env* without subprocess coverage, for the fork storm.

    Under coverage's tracer, a child can hang in coverage itself: the first
    function it calls after the fork (a fork hook) makes the tracer take a
    lock that an emitting thread held when the fork copied it (gdb shows
    the child blocked in ``CTracer_handle_call`` under ``run_at_forkers``;
    2 of 5 children in CI).  Tracing two threads emitting flat out also
    stretches the storm to minutes.  The fork code paths are measured by
    the multiprocessing and prefork tests, which fork from one thread.
    """
    return {name: value for name, value in env.items() if not name.startswith("COVERAGE_")}


FORK_CASES = [
    pytest.param("http/protobuf", {}, id="http"),
    pytest.param("grpc", {}, id="grpc"),
    pytest.param("grpc", {"GRPC_ENABLE_FORK_SUPPORT": "1"}, id="grpc-fork-support-on"),
]


@pytest.mark.parametrize(("protocol", "extra"), FORK_CASES)
def test_forks_under_span_emitting_threads_never_hang(
    collector: Collector, protocol: str, extra: dict[str, str]
) -> None:
    # A small queue: the emitting threads take the processor's lock all the
    # time (most of their spans are dropped, and counted), which is what
    # made children hang when a fork copied that lock held.
    env = otlp_env(collector, protocol, OTEL_BSP_MAX_QUEUE_SIZE="4096", **extra)
    result, _ = run_app(FORK_STORM_APP, ["30"], without_coverage(env), 600)
    outcome = result_of(result.stdout)
    hung = outcome["codes"].count(None)
    print(f"{protocol} {extra}: 30 forks, {hung} hung, exit codes {Counter(outcome['codes'])}")
    assert outcome["codes"] == [0] * 30
    # Only the parent reports (spans dropped from its full queue): a child
    # never reports the parent's spans as its own.
    reports = re.findall(r"(\d+) of (\d+) spans were not delivered", result.stderr)
    assert len(reports) <= 1, result.stderr
    assert [int(offered) for _, offered in reports] == [outcome["parent"]] * len(reports)
    lost = sum(int(count) for count, _ in reports)
    collector.stop()  # drains: everything sent is in
    spans = collector.spans()
    children = Counter(span["attributes"]["child"] for span in spans if span["name"] == "child")
    assert children == dict.fromkeys(range(30), 1)  # each child's span, once
    parent = [span["span_id"] for span in spans if span["name"] == "parent"]
    assert len(set(parent)) == len(parent) == outcome["parent"] - lost  # the rest, once
    assert "Traceback" not in result.stderr
    assert "fork" not in result.stderr  # no gRPC complaint about forking mid-call
    print(f"  children 30/30 spans, parent {len(parent)} of {outcome['parent']} ({lost} dropped)")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_multiprocessing_process_children_deliver_everything(
    collector: Collector, protocol: str
) -> None:
    result, _ = run_app(PROCESS_APP, [], otlp_env(collector, protocol))
    assert result_of(result.stdout) == [0] * 10
    spans = collector.wait_for(200)
    work = Counter((span["attributes"]["process"], span["attributes"]["k"]) for span in spans)
    assert work == {(n, k): 1 for n in range(10) for k in range(20)}
    assert_quiet(result.stderr)
    print(f"{protocol}: Process children, {len(spans)}/200 spans")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_multiprocessing_pool_workers_deliver_everything(
    collector: Collector, protocol: str
) -> None:
    result, _ = run_app(POOL_APP, [], otlp_env(collector, protocol))
    assert result_of(result.stdout) == list(range(200))
    spans = collector.wait_for(200)
    assert Counter(span["attributes"]["n"] for span in spans) == dict.fromkeys(range(200), 1)
    assert_quiet(result.stderr)
    print(f"{protocol}: Pool(4) workers, {len(spans)}/200 spans")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_prefork_workers_stopped_by_sigterm_deliver_what_they_served(
    collector: Collector, protocol: str
) -> None:
    result, _ = run_app(PREFORK_APP, [], otlp_env(collector, protocol))
    assert result_of(result.stdout) == [0] * 4
    served = {
        int(worker): int(count)
        for _, worker, count in (
            line.split() for line in result.stdout.splitlines() if line.startswith("served ")
        )
    }
    assert sorted(served) == [0, 1, 2, 3]
    expected = sum(served.values()) + 2
    spans = collector.wait_for(expected)
    requests = Counter(
        (span["attributes"]["worker"], span["attributes"]["i"])
        for span in spans
        if span["name"] == "request"
    )
    assert requests == {(n, i): 1 for n, count in served.items() for i in range(count)}
    masters = sorted(span["attributes"]["phase"] for span in spans if span["name"] == "master")
    assert masters == ["start", "stop"]  # the master's spans, once each
    assert_quiet(result.stderr)
    print(f"{protocol}: prefork, {len(spans)}/{expected} spans ({served})")


def test_grpc_without_fork_support_costs_children_their_spans_not_their_lives(
    collector: Collector,
) -> None:
    env = otlp_env(collector, "grpc", GRPC_ENABLE_FORK_SUPPORT="0")
    result, _ = run_app(FORK_STORM_APP, ["5"], without_coverage(env), 600)
    outcome = result_of(result.stdout)
    assert outcome["codes"] == [0] * 5  # no child hung or crashed
    spans = collector.wait_for(outcome["parent"])
    assert {span["name"] for span in spans} == {"parent"}
    assert len(spans) == outcome["parent"]
    reports = [line for line in result.stderr.splitlines() if "not delivered" in line]
    assert len(reports) == 5, result.stderr  # one line per child, naming the cause
    assert all(
        "1 of 1 spans were not delivered" in line and "GRPC_ENABLE_FORK_SUPPORT" in line
        for line in reports
    ), reports
    print(f"grpc, fork support off: 5 children exited, reports like: {reports[0]}")
