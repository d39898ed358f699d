"""The application's own exporters and processors in forked children and at exit.

pynector cannot make a new instance of an exporter the application made: a
forked child keeps using its copy (see ``_export/own_exporters.py``).  Real
``os.fork``, real SDK exporters (in memory, to files, OTLP over HTTP and
gRPC to the real collector), and processes that leave without calling
``shutdown()``.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import configure_telemetry, get_telemetry
from pynector.telemetry._dependencies import is_importable
from support.otlp_apps import PROTOCOLS, run_app
from support.processes import clean_env

if TYPE_CHECKING or is_importable("opentelemetry.sdk.trace"):  # not in every configuration
    from opentelemetry import metrics, trace
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricsData
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from pynector.telemetry._logs.export_handler import installed_provider

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("forklib")

SECRET = "hunter2-s3cr3t"


def attributes_of(data: MetricsData) -> str:
    """One line per collection: each data point's attributes, as JSON."""
    points = [
        dict(point.attributes or {})
        for resource_metrics in data.resource_metrics
        for scope_metrics in resource_metrics.scope_metrics
        for metric in scope_metrics.metrics
        for point in metric.data.data_points
    ]
    return json.dumps(points) + "\n"


def flush_everything() -> None:
    assert trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert installed_provider().force_flush()
    assert metrics.get_meter_provider().force_flush()  # type: ignore[attr-defined]


def wait_for_child(pid: int, read_fd: int, timeout: float = 60) -> tuple[int | None, bytes]:
    """What the child wrote to *read_fd* and its exit code; ``None`` if it hung (killed)."""
    deadline = time.monotonic() + timeout
    received = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], 0.05)
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            received += chunk
    os.close(read_fd)
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), received
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None, received


def test_instances_survive_a_real_fork_in_a_child_that_emits() -> None:
    spans = InMemorySpanExporter()
    given = InMemorySpanExporter()
    logs = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    out = io.StringIO()
    configure_telemetry(
        trace_exporters=[spans, SimpleSpanProcessor(given)],
        log_exporters=[logs],
        metric_exporters=[ConsoleMetricExporter(out=out, formatter=attributes_of)],
    )
    counter = metrics.get_meter_provider().get_meter("forks").create_counter("forks")
    with tracer.start_as_current_span("before-fork"):
        pass
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: emit, flush, say what its copies of the instances received
        code = 1
        try:
            os.close(read_fd)
            with tracer.start_as_current_span("in-child", {"password": SECRET}):
                log.info("child says", token=SECRET)
            counter.add(1, {"who": "child", "api_key": SECRET})
            flush_everything()
            seen = {
                "spans": [(s.name, dict(s.attributes or {})) for s in spans.get_finished_spans()],
                "given": [s.name for s in given.get_finished_spans()],
                "logs": [
                    (r.log_record.body, dict(r.log_record.attributes or {}))
                    for r in logs.get_finished_logs()
                ],
                "metrics": out.getvalue(),
            }
            os.write(write_fd, json.dumps(seen).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    with tracer.start_as_current_span("in-parent"):
        pass
    exit_code, received = wait_for_child(pid, read_fd)
    assert exit_code == 0, received
    seen = json.loads(received)
    # The child delivered its own, redacted, to its copy of each instance
    # (which it inherited holding what the parent had exported before the fork).
    assert seen["spans"] == [["before-fork", {}], ["in-child", {"password": "[REDACTED]"}]]
    assert seen["given"] == ["before-fork", "in-child"]
    assert seen["logs"] == [["child says", {"token": "[REDACTED]"}]]
    assert json.loads(seen["metrics"].splitlines()[-1]) == [
        {"who": "child", "api_key": "[REDACTED]"}
    ]
    # The parent's instances never see the child's telemetry.
    trace.get_tracer_provider().force_flush()  # type: ignore[attr-defined]
    assert [span.name for span in spans.get_finished_spans()] == ["before-fork", "in-parent"]
    assert [span.name for span in given.get_finished_spans()] == ["before-fork", "in-parent"]
    assert logs.get_finished_logs() == ()


# Exports to files through the SDK's console exporters (the application's
# own instances, never shut down explicitly): spans through an exporter and
# a batch processor of its own, log records through an exporter, metrics
# through an exporter and a periodic reader of its own.  It forks one child;
# both emit one of each and leave by the normal exit, with every batch and
# interval far longer than the run.
EXIT_APP = """
import json, os, sys
from pathlib import Path
from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry import metrics
from pynector.telemetry import configure_telemetry, get_telemetry

folder = Path(sys.argv[1])
def out(name):
    return open(folder / name, "a", buffering=1)

def points(data):
    found = []
    for resource_metrics in data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                found += [dict(p.attributes) for p in metric.data.data_points]
    return json.dumps(found) + "\\n"

span_line = lambda span: json.dumps([span.name, dict(span.attributes)]) + "\\n"
configure_telemetry(
    trace_exporters=[
        ConsoleSpanExporter(out=out("spans"), formatter=span_line),
        BatchSpanProcessor(
            ConsoleSpanExporter(out=out("batched-spans"), formatter=span_line),
            schedule_delay_millis=600_000,
        ),
    ],
    log_exporters=[
        ConsoleLogRecordExporter(
            out=out("logs"),
            formatter=lambda r: json.dumps([r.log_record.body, dict(r.log_record.attributes)])
            + "\\n",
        )
    ],
    metric_exporters=[
        ConsoleMetricExporter(out=out("metrics"), formatter=points),
        PeriodicExportingMetricReader(
            ConsoleMetricExporter(out=out("read-metrics"), formatter=points),
            export_interval_millis=600_000,
        ),
    ],
)
tracer, log = get_telemetry("exitapp")
counter = metrics.get_meter_provider().get_meter("exitapp").create_counter("runs")
pid = os.fork()
who = "child" if pid == 0 else "parent"
with tracer.start_as_current_span(who, {"password": "hunter2-s3cr3t"}):
    log.info(who, token="hunter2-s3cr3t")
counter.add(1, {"who": who, "api_key": "hunter2-s3cr3t"})
if pid:
    os.waitpid(pid, 0)
    print("done 0", flush=True)
"""


def test_nothing_is_lost_at_exit_without_shutdown_in_parent_and_forked_child(
    tmp_path: Path,
) -> None:
    env = clean_env(
        {
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_BSP_SCHEDULE_DELAY": "600000",
            "OTEL_BLRP_SCHEDULE_DELAY": "600000",
            "OTEL_METRIC_EXPORT_INTERVAL": "600000",
        }
    )
    result, _ = run_app(EXIT_APP, [str(tmp_path)], env)
    found: dict[str, list[Any]] = {}
    for path in sorted(tmp_path.iterdir()):
        text = path.read_text()
        assert SECRET not in text
        found[path.name] = [json.loads(line) for line in text.splitlines()]
    redacted = {"password": "[REDACTED]"}
    for name in ("spans", "batched-spans"):
        assert sorted(map(tuple, found[name])) == [("child", redacted), ("parent", redacted)]
    assert sorted(map(tuple, found["logs"])) == [
        ("child", {"token": "[REDACTED]"}),
        ("parent", {"token": "[REDACTED]"}),
    ]
    for name in ("metrics", "read-metrics"):
        # One final collection per process, each with its own measurement.
        assert sorted(point["who"] for points in found[name] for point in points) == [
            "child",
            "parent",
        ]
        assert all(point["api_key"] == "[REDACTED]" for points in found[name] for point in points)
    assert "not delivered" not in result.stderr, result.stderr


# An OTLP exporter instance of the application's own, to the collector; the
# parent forks argv[2] children while it emits; each child emits argv[3]
# spans and leaves by the normal exit.
OTLP_FORK_APP = """
import os, sys
from pynector.telemetry import configure_telemetry, get_telemetry

protocol, endpoint = sys.argv[1].split("|")
if protocol == "grpc":
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True)
else:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    exporter = OTLPSpanExporter(endpoint=endpoint + "/v1/traces")
configure_telemetry(service_name="own-otlp", trace_exporters=[exporter])
tracer, log = get_telemetry("ownotlp")
with tracer.start_as_current_span("before-fork"):
    pass
children = []
for child in range(int(sys.argv[2])):
    pid = os.fork()
    if pid == 0:
        for i in range(int(sys.argv[3])):
            with tracer.start_as_current_span(f"child-{child}", {"i": i}):
                pass
        sys.exit(0)
    children.append(pid)
    with tracer.start_as_current_span("parent", {"child": child}):
        pass
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
print(f"codes {codes}", flush=True)
print("done 0", flush=True)
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_otlp_exporter_instance_delivers_from_forked_children(
    collector: Collector, protocol: str
) -> None:
    endpoint = collector.grpc_endpoint if protocol == "grpc" else collector.http_endpoint
    env = clean_env({"OTEL_BSP_SCHEDULE_DELAY": "50"})
    result, _ = run_app(OTLP_FORK_APP, [f"{protocol}|{endpoint}", "4", "100"], env)
    assert "codes [0, 0, 0, 0]" in result.stdout
    spans = collector.wait_for(1 + 4 + 400)
    names = Counter(span["name"] for span in spans)
    assert names == {"before-fork": 1, "parent": 4, **{f"child-{n}": 100 for n in range(4)}}
    assert "not delivered" not in result.stderr, result.stderr
    print(f"{protocol}: {sum(names.values())} spans from the parent and 4 forked children")


def test_a_grpc_exporter_instance_is_refused_in_a_child_without_fork_support(
    collector: Collector,
) -> None:
    env = clean_env({"OTEL_BSP_SCHEDULE_DELAY": "50", "GRPC_ENABLE_FORK_SUPPORT": "0"})
    result, _ = run_app(OTLP_FORK_APP, [f"grpc|{collector.grpc_endpoint}", "2", "3"], env)
    assert "codes [0, 0]" in result.stdout  # no child hung or crashed
    spans = collector.wait_for(1 + 2)
    assert Counter(span["name"] for span in spans) == {"before-fork": 1, "parent": 2}
    reports = [line for line in result.stderr.splitlines() if "not delivered" in line]
    assert len(reports) == 2, result.stderr  # one line per child, naming the cause
    assert all(
        "3 of 3 spans were not delivered to the application's OTLPSpanExporter" in line
        and "given as an instance" in line
        and "GRPC_ENABLE_FORK_SUPPORT" in line
        for line in reports
    ), reports
