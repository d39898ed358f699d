"""Export throughput to a real OTLP collector (rotel) on 127.0.0.1, HTTP and gRPC.

An application configured only through OTEL_* variables emits SPANS spans
(nested, with attributes); throughput is spans received by the collector
divided by the time from the first span to the last one received.

Usage: ``python benchmarks/measure_export.py OUT.json [--spans N]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from support.collector import Collector

APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry
configure_telemetry()
tracer, _ = get_telemetry("bench.export")
print(time.time(), flush=True)
for i in range(int(sys.argv[1]) // 10):
    with tracer.start_as_current_span("request", {"i": i}):
        for j in range(9):
            with tracer.start_as_current_span("step", {"i": i, "j": j}):
                pass
"""


def measure(protocol: str, spans: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as workdir:
        collector = Collector(Path(workdir)).start()
        try:
            endpoint = collector.grpc_endpoint if protocol == "grpc" else collector.http_endpoint
            env = {
                "PATH": "/usr/bin:/bin",
                "OTEL_TRACES_EXPORTER": "otlp",
                "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            }
            app = subprocess.run(
                [sys.executable, "-c", APP, str(spans)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            started = float(app.stdout.split()[0])
            received = collector.wait_for(spans, timeout=60)
            finished = time.time()
            time.sleep(0.2)
            total = len(collector.spans())
        finally:
            collector.stop()
    return {
        "spans_sent": spans,
        "spans_received": total,
        "seconds": finished - started,
        "spans_per_second": len(received) / (finished - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--spans", type=int, default=20_000)
    args = parser.parse_args()
    results = {protocol: measure(protocol, args.spans) for protocol in ("http/protobuf", "grpc")}
    with open(args.out, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
