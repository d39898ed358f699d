"""Applications that export to a collector, run in a fresh interpreter.

Each is configured only through ``OTEL_*`` variables (:func:`otlp_env`), as
a deployed application would be.  :func:`run_app` runs one to the end;
:class:`InteractiveApp` runs :data:`INTERACTIVE_APP`, which a test
drives line by line (emit spans, flush, quit) while it stops and restarts
the collector.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

from support.processes import clean_env

if TYPE_CHECKING:
    from support.collector import Collector

__all__ = [
    "EMIT_APP",
    "INTERACTIVE_APP",
    "PROTOCOLS",
    "InteractiveApp",
    "otlp_env",
    "run_app",
]

PROTOCOLS = ["http/protobuf", "grpc"]

# Emits argv[1] spans named "span" with attribute i, then returns.
EMIT_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.emit")
configure_telemetry()
for i in range(int(sys.argv[1])):
    with tracer.start_as_current_span("span", {"i": i}):
        pass
print(f"done {time.time()}", flush=True)
"""

# Commands, one per line: "emit COUNT NAME" (spans NAME with attribute i),
# "flush" (force_flush; prints the result), "quit".  Each answers one line.
INTERACTIVE_APP = """
import sys, time
from opentelemetry import trace
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.interactive")
configure_telemetry()
for line in sys.stdin:
    command, *rest = line.split()
    if command == "emit":
        count, phase = int(rest[0]), rest[1]
        for i in range(count):
            with tracer.start_as_current_span(phase, {"i": i}):
                pass
        print(f"emitted {phase}", flush=True)
    elif command == "flush":
        print(f"flushed {trace.get_tracer_provider().force_flush(60_000)}", flush=True)
    elif command == "quit":
        break
print(f"done {time.time()}", flush=True)
"""


def otlp_env(collector_or_port: Collector | int, protocol: str, **extra: str) -> dict[str, str]:
    """The environment of an application exporting to a collector (or a bare port)."""
    if isinstance(collector_or_port, int):
        endpoint = f"http://127.0.0.1:{collector_or_port}"
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


class InteractiveApp:
    """A running :data:`INTERACTIVE_APP`."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(INTERACTIVE_APP)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def command(self, text: str) -> str:
        """Send one command; return the app's one-line answer."""
        process = self.process
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(text + "\n")
        process.stdin.flush()
        return process.stdout.readline().strip()

    def quit(self, timeout: float = 60) -> tuple[float, str]:
        """Quit; return (seconds from its 'done' line to its exit, its stderr)."""
        process = self.process
        assert process.stderr is not None
        done = self.command("quit")
        assert done.startswith("done "), done
        process.wait(timeout=timeout)
        exit_seconds = time.time() - float(done.split()[1])
        assert process.returncode == 0
        return exit_seconds, process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
