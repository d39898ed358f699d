"""A real OpenTelemetry collector (rotel) on 127.0.0.1, for the delivery tests.

The collector listens for OTLP over gRPC and HTTP on free ports and writes
every span it receives as a JSON line, and every metric data point and
every log record as another (see ``collector_processor.py``).  Tests start,
stop and restart it; it never outlives the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sysconfig
import time
from pathlib import Path
from typing import Any

PROCESSOR = Path(__file__).with_name("collector_processor.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rows(path: Path) -> list[dict[str, Any]]:
    """The JSON lines the processor wrote to *path* so far.

    A batch is appended in one write, but a read can land in the middle of
    it: the text after the last newline is a line still being written.
    """
    if not path.exists():
        return []
    complete = path.read_text().rpartition("\n")[0]
    rows = [json.loads(line) for line in complete.splitlines() if line]
    errors = [row for row in rows if "error" in row]
    assert not errors, errors
    return rows


def _agent_binary() -> Path:
    import rotel

    return Path(rotel.__file__).with_name("rotel-agent")


class Collector:
    """One rotel-agent process; ``spans()`` and ``metrics()`` return what it received so far."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.grpc_port = free_port()
        self.http_port = free_port()
        self.out = workdir / "spans.jsonl"
        self.metrics_out = workdir / "metrics.jsonl"
        self.logs_out = workdir / "logs.jsonl"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.grpc_port}"

    def start(self) -> Collector:
        ready = Path(str(self.out) + ".ready")
        ready.unlink(missing_ok=True)
        env = dict(
            os.environ,
            PYNECTOR_COLLECTOR_OUT=str(self.out),
            PYNECTOR_COLLECTOR_METRICS_OUT=str(self.metrics_out),
            PYNECTOR_COLLECTOR_LOGS_OUT=str(self.logs_out),
        )
        libdir = sysconfig.get_config_var("LIBDIR") or ""
        env["LD_LIBRARY_PATH"] = os.pathsep.join(
            p for p in (libdir, env.get("LD_LIBRARY_PATH", "")) if p
        )
        self.process = subprocess.Popen(
            [
                str(_agent_binary()),
                "start",
                "--exporter",
                "blackhole",
                "--otlp-grpc-endpoint",
                f"127.0.0.1:{self.grpc_port}",
                "--otlp-http-endpoint",
                f"127.0.0.1:{self.http_port}",
                "--otlp-with-trace-processor",
                str(PROCESSOR),
                "--otlp-with-metrics-processor",
                str(PROCESSOR),
                "--otlp-with-logs-processor",
                str(PROCESSOR),
                "--log-file",
                str(self.workdir / "agent.log"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"collector exited with {self.process.returncode}")
            if ready.exists() and self._accepts(self.http_port) and self._accepts(self.grpc_port):
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("collector did not become ready within 15 s")

    @staticmethod
    def _accepts(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM (the agent drains its pipeline first), then wait."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """Die abruptly, as a crashed collector would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def spans(self) -> list[dict[str, Any]]:
        return _rows(self.out)

    def wait_for(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        """Poll until at least *count* spans arrived (they land just after export)."""
        deadline = time.monotonic() + timeout
        spans = self.spans()
        while len(spans) < count and time.monotonic() < deadline:
            time.sleep(0.05)
            spans = self.spans()
        return spans

    def metrics(self) -> list[dict[str, Any]]:
        """Every metric data point received: name, kind, attributes, value or count/sum..."""
        return _rows(self.metrics_out)

    def wait_for_metric(self, name: str, timeout: float = 15) -> list[dict[str, Any]]:
        """Poll until data points of metric *name* arrived; return them (latest last)."""
        deadline = time.monotonic() + timeout
        points = [row for row in self.metrics() if row["name"] == name]
        while not points and time.monotonic() < deadline:
            time.sleep(0.05)
            points = [row for row in self.metrics() if row["name"] == name]
        return points

    def logs(self) -> list[dict[str, Any]]:
        """Every log record received: body, severity, ids, attributes, scope, service."""
        return _rows(self.logs_out)

    def wait_for_logs(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        """Poll until at least *count* log records arrived."""
        deadline = time.monotonic() + timeout
        records = self.logs()
        while len(records) < count and time.monotonic() < deadline:
            time.sleep(0.05)
            records = self.logs()
        return records
