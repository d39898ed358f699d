"""Small real servers on 127.0.0.1 for what the collector cannot show.

An OTLP endpoint behind an authenticating proxy (HTTP 401 / gRPC
UNAUTHENTICATED without the right header) and one that speaks TLS.  Each
runs in a daemon thread and is stopped by its context manager.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["authenticating_grpc_server", "authenticating_http_server", "self_signed_certificate"]

TOKEN = "Bearer s3cret"


class _AuthHandler(BaseHTTPRequestHandler):
    token: str | None = TOKEN

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        allowed = self.token is None or self.headers.get("Authorization") == self.token
        self.send_response(202 if allowed else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return None


@contextmanager
def authenticating_http_server(
    certificate: tuple[Path, Path] | None = None, token: str | None = TOKEN
) -> Iterator[str]:
    """An HTTP endpoint answering 202 to a POST only with ``Authorization: <token>``
    (to any POST when *token* is ``None``), else 401.

    Yields its base URL; with a *certificate* (cert, key) it speaks TLS.
    """
    handler = type("Handler", (_AuthHandler,), {"token": token})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    scheme = "http"
    if certificate is not None:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*map(str, certificate))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def authenticating_grpc_server() -> Iterator[str]:
    """An OTLP/gRPC trace service answering OK only with ``authorization: Bearer s3cret``."""
    import grpc

    def export(request: bytes, context: Any) -> bytes:
        metadata = dict(context.invocation_metadata())
        if metadata.get("authorization") != TOKEN:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "bad token")
        return b""

    handler = grpc.method_handlers_generic_handler(
        "opentelemetry.proto.collector.trace.v1.TraceService",
        {"Export": grpc.unary_unary_rpc_method_handler(export)},
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop(grace=None)


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A throw-away certificate and key for 127.0.0.1, made with ``openssl``."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key
