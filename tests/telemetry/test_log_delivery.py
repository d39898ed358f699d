"""Log records reach a real OTLP collector, over HTTP and gRPC, with nothing lost at exit.

Each test runs an application in a fresh interpreter, configured only
through ``OTEL_*`` variables, that never calls ``shutdown()``, and reads
back what the collector (rotel, ``support.collector``) received.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry._dependencies import is_importable
from support.collector import free_port
from support.metrics import latest
from support.otlp_apps import PROTOCOLS, otlp_env, run_app

if TYPE_CHECKING:
    from support.collector import Collector

if TYPE_CHECKING or is_importable("opentelemetry.sdk._logs"):  # not in every configuration
    from pynector.telemetry._logs.export_handler import MAX_BODY_LENGTH

pytestmark = [pytest.mark.requires_otel, pytest.mark.requires_structlog]

# A library's event, the application's structlog event and a stdlib record,
# inside a span; then the span's ids on stdout, and the time its work ended.
THREE_KINDS_APP = """
import logging, sys, time
import structlog
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("somelib")
configure_telemetry()
with tracer.start_as_current_span("request") as span:
    ids = span.get_span_context()
    print(format(ids.trace_id, "032x"), format(ids.span_id, "016x"), flush=True)
    log.info("library event", password="p1", rows=3, ratio=0.5, tags=["a", "b"])
    structlog.get_logger("app").warning("structlog event", user="ann", ok=True)
    logging.getLogger("httpx").error("stdlib record %s", "GET", extra={"status": 500})
    log.debug("below the level")
logging.getLogger("app").info("outside any span")
print(f"done {time.time()}", flush=True)
"""

# argv[1] records through the facade, each with its index, at level argv[2];
# with a third argument, each in a span of its own.
MANY_APP = """
import contextlib, sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("many")
configure_telemetry(log_level=sys.argv[2])
for i in range(int(sys.argv[1])):
    with tracer.start_as_current_span("s") if sys.argv[3:] else contextlib.nullcontext():
        log.info("record", i=i)
print(f"done {time.time()}", flush=True)
"""


# argv[1] records as fast as they can be made: the application's own root
# handler writes only warnings (pynector's reports).
BURST_APP = """
import logging, sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

handler = logging.StreamHandler()
handler.setLevel(logging.WARNING)
logging.getLogger().addHandler(handler)
tracer, log = get_telemetry("burst")
configure_telemetry()
for i in range(int(sys.argv[1])):
    log.info("record", i=i)
print(f"done {time.time()}", flush=True)
"""


# Forked children log records of their own: five multiprocessing children
# (they leave through os._exit, where atexit handlers do not run) and five
# os.fork children (sys.exit), twenty records each; the parent logs before
# the forks (its delivery is running when they happen) and after.
FORK_APP = """
import json, multiprocessing, os, sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("forked")
configure_telemetry()

def work(kind, n):
    for k in range(20):
        log.info("child", kind=kind, n=n, k=k)

for k in range(5):
    log.info("parent", kind="parent", n=0, k=k)
codes = []
for n in range(5):
    pid = os.fork()
    if pid == 0:
        work("fork", n)
        sys.exit(0)
    codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
context = multiprocessing.get_context("fork")
processes = [context.Process(target=work, args=("process", n)) for n in range(5)]
for process in processes:
    process.start()
for process in processes:
    process.join(60)
codes += [process.exitcode for process in processes]
for k in range(5, 10):
    log.info("parent", kind="parent", n=0, k=k)
print("result " + json.dumps(codes), flush=True)
print(f"done {time.time()}", flush=True)
"""


# An error storm: argv[1] failures, each logged with its traceback, whose
# message and stack trace are cut to the 4,096-character value limit: full
# batches of 512 such records weigh more than gRPC's 4 MiB.  Half-way, one
# record with a 10 MB message.  The schedule delay holds every record until
# exit, so that the batches are full.
STORM_APP = """
import logging, sys, time
from pynector.telemetry import configure_telemetry

configure_telemetry()

def fail(depth):
    if depth == 0:
        raise RuntimeError("upstream answered: " + "e" * 5000)
    fail(depth - 1)

count = int(sys.argv[1])
for i in range(count):
    if i == count // 2:
        logging.getLogger("app").warning("huge %s", "y" * 10_000_000)
    try:
        fail(40)
    except RuntimeError:
        logging.getLogger("app").exception("request %d failed", i)
print(f"done {time.time()}", flush=True)
"""


# Exit hooks that log: a library's, registered on import, before
# configure_telemetry (exit hooks run last-registered first, so it runs after
# those configure_telemetry registered), and one registered afterwards.  With
# argv[1] "logging", logging is imported first (its exit hook registered
# before pynector's); with "pynector", only by configure_telemetry.
EXIT_HOOKS_APP = """
import atexit, sys, time
if sys.argv[1] == "logging":
    import logging
from pynector.telemetry import configure_telemetry, get_telemetry

def pool_closed():
    import logging
    logging.getLogger("pool").info("pool closed", extra={"hook": "before"})

atexit.register(pool_closed)
tracer, log = get_telemetry("app")
configure_telemetry()
atexit.register(lambda: log.info("draining", hook="after"))
log.info("working")
print(f"done {time.time()}", flush=True)
"""


# The application reconfigures logging after configure_telemetry, with
# records still queued: dictConfig closes every handler, forgets them, gives
# the root logger its own, and disables every logger it does not name (but
# keeps pynector's, whose reports it wants).
RECONFIGURED_APP = """
import logging.config, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("app")
configure_telemetry()
for i in range(5):
    log.info("queued", i=i)
logging.config.dictConfig(
    {
        "version": 1,
        "handlers": {"stderr": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {"pynector": {}},
    }
)
print(f"done {time.time()}", flush=True)
"""


def logs_env(collector_or_port: Collector | int, protocol: str, **extra: str) -> dict[str, str]:
    """An application exporting log records (and spans) to a collector, or a bare port."""
    return otlp_env(
        collector_or_port, protocol, OTEL_LOGS_EXPORTER="otlp", PYNECTOR_LOG_FORMAT="json", **extra
    )


def problems(stderr: str) -> list[str]:
    """stderr's lines that are not the application's own log lines: reports, tracebacks."""
    lines = []
    for line in stderr.splitlines():
        try:
            event = json.loads(line)["event"]
        except (ValueError, KeyError, TypeError):
            lines.append(line)
            continue
        if str(event).startswith("pynector:"):
            lines.append(line)
    return lines


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_kind_of_record_arrives_with_its_span(collector: Collector, protocol: str) -> None:
    result, _ = run_app(THREE_KINDS_APP, [], logs_env(collector, protocol))
    assert problems(result.stderr) == []
    trace_id, span_id = result.stdout.split()[:2]
    records = collector.wait_for_logs(4)
    assert len(records) == 4, records
    by_body: dict[Any, dict[str, Any]] = {record["body"]: record for record in records}
    expected = {
        "library event": (
            "somelib",
            9,
            "INFO",
            {"password": "[REDACTED]", "rows": 3, "ratio": 0.5, "tags": ["a", "b"]},
        ),
        "structlog event": ("app", 13, "WARN", {"user": "ann", "ok": True}),
        "stdlib record GET": ("httpx", 17, "ERROR", {"status": 500}),
    }
    for body, (scope, number, text, attributes) in expected.items():
        record = by_body[body]
        assert (record["scope"], record["severity_number"], record["severity_text"]) == (
            scope,
            number,
            text,
        )
        assert record["attributes"] == attributes
        assert (record["trace_id"], record["span_id"], record["flags"]) == (trace_id, span_id, 1)
        assert record["service"] == "delivery-test"
    outside = by_body["outside any span"]
    assert (outside["trace_id"], outside["span_id"]) == ("", "")
    # The span they were made in went to the same collector, with the same resource.
    (span,) = collector.wait_for(1)
    assert (span["trace_id"], span["span_id"]) == (trace_id, span_id)
    assert span["service"] == "delivery-test"
    print(f"{protocol}: 4 records sent, {len(records)} received, all with their span's ids")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_ten_thousand_records_at_exit_all_arrive(collector: Collector, protocol: str) -> None:
    result, exit_seconds = run_app(MANY_APP, ["10000", "INFO"], logs_env(collector, protocol))
    assert problems(result.stderr) == []
    records = collector.wait_for_logs(10_000)
    assert len(records) == 10_000
    assert sorted(record["attributes"]["i"] for record in records) == list(range(10_000))
    assert {record["scope"] for record in records} == {"many"}
    print(f"{protocol}: 10000 sent, {len(records)} received, exit {exit_seconds:.2f}s after main")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_export_never_exports_its_own_records(collector: Collector, protocol: str) -> None:
    # At DEBUG, the HTTP client logs about every export request, of spans and
    # of log records; those records, made by the exports themselves, must not
    # become exported records.
    env = logs_env(collector, protocol, OTEL_BLRP_SCHEDULE_DELAY="50", OTEL_BSP_SCHEDULE_DELAY="50")
    result, _ = run_app(MANY_APP, ["2000", "DEBUG", "spans"], env)
    assert problems(result.stderr) == []
    assert len(collector.wait_for(2000)) == 2000
    collector.wait_for_logs(2000)
    time.sleep(0.5)  # nothing more may arrive
    records = collector.logs()
    assert Counter(record["scope"] for record in records) == {"many": 2000}
    print(f"{protocol}: 2000 sent at DEBUG, {len(records)} received")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_dead_collector_costs_one_line(protocol: str) -> None:
    env = logs_env(free_port(), protocol, OTEL_TRACES_EXPORTER="none")
    result, exit_seconds = run_app(MANY_APP, ["1000", "INFO"], env)
    reports = problems(result.stderr)
    assert len(reports) == 1, result.stderr[-3000:]
    assert "1000 of 1000 log records were not delivered to OTLP" in reports[0]
    # The exporter's own retry message reached the delivery (which is what
    # lets it stop waiting at once), and the report names the cause.
    assert "still queued when the collector stopped answering (Transient error" in reports[0]
    assert "Traceback" not in result.stderr
    print(f"{protocol}: dead collector, exit {exit_seconds:.2f}s after main; {reports[0]}")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_records_too_large_for_one_request_all_arrive(collector: Collector, protocol: str) -> None:
    env = logs_env(
        collector, protocol, OTEL_TRACES_EXPORTER="none", OTEL_BLRP_SCHEDULE_DELAY="600000"
    )
    result, _ = run_app(STORM_APP, ["1000"], env)
    assert problems(result.stderr) == []
    records = collector.wait_for_logs(1001)
    assert len(records) == 1001
    failures = sorted(r["body"] for r in records if r["body"].startswith("request "))
    assert failures == sorted(f"request {i} failed" for i in range(1000))
    assert {len(r["attributes"]["exception.stacktrace"]) for r in records if r["attributes"]} == {
        4096
    }
    (huge,) = [r["body"] for r in records if r["body"].startswith("huge ")]
    assert huge == ("huge " + "y" * 10_000_000)[:MAX_BODY_LENGTH]
    print(f"{protocol}: 1001 records of ~8 KB and one of 10 MB, {len(records)} received")


@pytest.mark.parametrize("first", ["logging", "pynector"])
def test_records_logged_by_exit_hooks_arrive(collector: Collector, first: str) -> None:
    result, _ = run_app(EXIT_HOOKS_APP, [first], logs_env(collector, "http/protobuf"))
    assert problems(result.stderr) == []
    records = collector.wait_for_logs(3)
    assert sorted(record["body"] for record in records) == ["draining", "pool closed", "working"]


def test_records_queued_when_logging_is_reconfigured_still_arrive(collector: Collector) -> None:
    env = logs_env(collector, "http/protobuf", OTEL_BLRP_SCHEDULE_DELAY="600000")
    run_app(RECONFIGURED_APP, [], env)
    records = collector.wait_for_logs(5)
    assert sorted(record["attributes"]["i"] for record in records) == [0, 1, 2, 3, 4]


def test_after_logging_is_reconfigured_a_dead_collector_still_costs_one_line() -> None:
    env = logs_env(free_port(), "http/protobuf", OTEL_TRACES_EXPORTER="none")
    result, exit_seconds = run_app(RECONFIGURED_APP, [], env)
    (report,) = problems(result.stderr)
    assert "5 of 5 log records were not delivered" in report
    # The exporter's retry message, on a logger dictConfig disabled, still
    # reached the delivery: that is what lets the exit go on at once.
    assert "still queued when the collector stopped answering (Transient error" in report
    print(f"dictConfig, then a dead collector: exit {exit_seconds:.2f}s after main")


def test_records_past_the_queue_bound_are_counted_and_reported_once(
    collector: Collector,
) -> None:
    env = logs_env(collector, "http/protobuf", OTEL_BLRP_MAX_QUEUE_SIZE="500")
    result, _ = run_app(BURST_APP, ["10000"], env)
    (report,) = problems(result.stderr)
    found = re.search(
        r"(\d+) of 10000 log records were not delivered .*: (\d+) dropped because the export "
        r"queue was full \(OTEL_BLRP_MAX_QUEUE_SIZE=500\)\.",
        report,
    )
    assert found, report
    lost, dropped = int(found[1]), int(found[2])
    assert lost == dropped > 0
    received = collector.wait_for_logs(10_000 - dropped)
    time.sleep(0.3)  # nothing more may arrive
    assert len(collector.logs()) == len(received) == 10_000 - dropped
    print(f"log queue of 500: {dropped} dropped and reported, {len(received)} delivered")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_forked_children_deliver_their_own_records(collector: Collector, protocol: str) -> None:
    result, _ = run_app(FORK_APP, [], logs_env(collector, protocol))
    (codes,) = [line for line in result.stdout.splitlines() if line.startswith("result ")]
    assert json.loads(codes.split(" ", 1)[1]) == [0] * 10
    assert problems(result.stderr) == []
    records = collector.wait_for_logs(210)
    time.sleep(0.3)  # nothing more may arrive
    records = collector.logs()
    keys = Counter(
        (r["attributes"]["kind"], r["attributes"]["n"], r["attributes"]["k"]) for r in records
    )
    assert len(keys) == len(records) == 210  # no record lost, none sent twice
    assert Counter(kind for kind, _, _ in keys) == {"process": 100, "fork": 100, "parent": 10}
    print(f"{protocol}: 210 records from a parent and 10 forked children, {len(records)} received")


def test_the_log_processor_publishes_the_sdk_self_metrics(collector: Collector) -> None:
    env = logs_env(
        collector,
        "http/protobuf",
        OTEL_METRICS_EXPORTER="otlp",
        OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED="true",
        OTEL_BLRP_MAX_QUEUE_SIZE="500",
    )
    result, _ = run_app(BURST_APP, ["10000"], env)

    def ours(name: str) -> dict[str | None, int]:
        values: dict[str | None, int] = {}
        for key, point in latest(collector.wait_for_metric(name)).items():
            attributes = dict(key)
            if attributes["otel.component.name"] == "batching_log_processor/pynector-0":
                values[attributes.get("error.type")] = point["value"]
        return values

    processed = ours("otel.sdk.processor.log.processed")
    assert ours("otel.sdk.processor.log.queue.capacity") == {None: 500}
    assert ours("otel.sdk.processor.log.queue.size") == {None: 0}
    assert processed[None] + processed["queue_full"] == 10_000
    assert processed[None] == len(collector.wait_for_logs(processed[None]))
    assert "dropped because the export queue was full" in result.stderr
    print(f"log self-metrics: {processed}")
