"""W3C trace context across two real processes over HTTP on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry.propagation import extract_context, inject_context
from support.processes import clean_env, run_python

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pynector.telemetry import configure_telemetry, get_telemetry
from pynector.telemetry.propagation import extract_context

configure_telemetry(service_name="server", trace_exporters=["console-lines"])
tracer, _ = get_telemetry("server")

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        with extract_context(self.headers), tracer.start_as_current_span("server.handle"):
            body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_port}", flush=True)
server.handle_request()
server.server_close()
"""

CLIENT = """
import sys, urllib.request
from pynector.telemetry import configure_telemetry, get_telemetry
from pynector.telemetry.propagation import inject_context

configure_telemetry(service_name="client", trace_exporters=["console-lines"])
tracer, _ = get_telemetry("client")
with tracer.start_as_current_span("client.call"):
    headers = inject_context({})
    print("headers", sorted(headers), flush=True)
    request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/", headers=headers)
    assert urllib.request.urlopen(request, timeout=10).read() == b"ok"
"""

SPAN = re.compile(
    r"^span '(?P<name>[^']+)' trace_id=(?P<trace>\w+) span_id=(?P<span>\w+)"
    r" parent_id=(?P<parent>\S+)"
)


def spans_in(output: str) -> dict[str, re.Match[str]]:
    return {m["name"]: m for m in map(SPAN.match, output.splitlines()) if m}


@pytest.mark.requires_otel
def test_server_span_is_child_of_client_span_across_processes() -> None:
    env = clean_env(
        {"OTEL_PROPAGATORS": "tracecontext,baggage", "PYNECTOR_CONSOLE_STREAM": "stdout"}
    )
    server = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SERVER)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    try:
        port = server.stdout.readline().split()[1]
        client = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(CLIENT), port],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        server_out, server_err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert client.returncode == 0, client.stderr
    assert server.returncode == 0, server_err
    assert "headers ['traceparent']" in client.stdout  # no baggage was set
    client_span = spans_in(client.stdout)["client.call"]
    server_span = spans_in(server_out)["server.handle"]
    assert server_span["trace"] == client_span["trace"]
    assert server_span["parent"] == client_span["span"]


def test_without_a_span_or_opentelemetry_nothing_is_injected() -> None:
    headers = {"x": "1"}
    assert inject_context(headers) is headers
    assert headers == {"x": "1"}
    with extract_context({"traceparent": "garbage"}):
        pass


@pytest.mark.requires_otel
def test_extract_is_case_insensitive_and_restores_context(
    span_exporter: InMemorySpanExporter,
) -> None:
    from opentelemetry import trace

    from pynector.telemetry import get_telemetry

    tracer, _ = get_telemetry("tests.propagation")
    with tracer.start_as_current_span("caller"):
        headers: dict[str, str] = inject_context({})
    remote = {"TraceParent": headers["traceparent"]}
    with extract_context(remote), tracer.start_as_current_span("callee"):
        pass
    assert not trace.get_current_span().get_span_context().is_valid
    spans = {span.name: span for span in span_exporter.get_finished_spans()}
    caller, callee = spans["caller"], spans["callee"]
    assert callee.parent is not None
    assert callee.parent.span_id == caller.context.span_id
    assert callee.parent.is_remote


@pytest.mark.requires_otel
def test_baggage_follows_otel_propagators() -> None:
    result = run_python(
        """
        from opentelemetry import baggage, context
        from pynector.telemetry import configure_telemetry
        from pynector.telemetry.propagation import inject_context
        configure_telemetry(trace_exporters=[])
        token = context.attach(baggage.set_baggage("tenant", "acme"))
        print(inject_context({}))
        """,
        env={"OTEL_PROPAGATORS": "baggage"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'baggage': 'tenant=acme'}"
