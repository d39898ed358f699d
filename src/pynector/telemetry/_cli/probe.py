"""Prove that an exporter's endpoint accepts exports, by sending a real, empty one.

A TCP connect proves little: the collector's HTTP port accepts a
connection from a gRPC exporter (and the reverse), and every span is then
lost.  The probe sends what the exporter would send, an empty export
request with the configured protocol, headers, compression and TLS, and
turns the collector's answer into one line with the fix:

=====================================  ===================================================
answer                                 diagnosis
=====================================  ===================================================
HTTP 2xx, gRPC OK                      delivery works
connection refused / no answer / DNS   nothing listens there / too slow / unknown host
reset by an HTTP/1 request             an OTLP/gRPC port: use ``grpc`` or the HTTP port
gRPC 404 / "http1.x server"            an OTLP/HTTP port: use ``http/protobuf`` or 4317
HTTP 404                               wrong path: the base URL, or ``.../v1/traces``
HTTP 401 / 403, gRPC UNAUTHENTICATED   the credentials in the headers were refused
TLS "wrong version number"             the endpoint does not speak TLS: ``http://``
connection closed, but TLS answers     the endpoint needs TLS: ``https://``
=====================================  ===================================================

Used by ``python -m pynector.telemetry doctor``; nothing else imports it.
"""

from __future__ import annotations

import gzip
import http.client
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ProbeResult", "probe_otlp_grpc", "probe_otlp_http", "probe_zipkin"]

#: signal -> the OTLP gRPC service method that exports it
_EXPORT_METHODS = {
    "traces": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    "metrics": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
    "logs": "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
}
_DEFAULT_HTTP_PORT, _DEFAULT_GRPC_PORT = 4318, 4317


@dataclass(frozen=True)
class ProbeResult:
    """What the endpoint answered, and, when delivery would fail, why and what to do."""

    answer: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _address(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    return parts.hostname or "localhost", parts.port or (443 if secure else 80), secure


def _speaks_tls(host: str, port: int, timeout: float) -> bool:
    """Whether *host:port* completes a TLS handshake (certificate not checked)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return True
    except (OSError, ssl.SSLError):
        return False


def _connection_problem(error: OSError, host: str, port: int, timeout: float) -> str | None:
    """The diagnosis for errors every protocol shares, or ``None``."""
    if isinstance(error, socket.gaierror):
        return f"cannot resolve the host {host!r}: check the endpoint's host name"
    if isinstance(error, ConnectionRefusedError):
        return f"nothing listens at {host}:{port}: start the collector, or fix the port"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"no answer from {host}:{port} within {timeout:g} s: check the host and firewall"
    return None


def _http_post(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float
) -> int | ProbeResult:
    """POST *body* to *url*: the HTTP status, or why no HTTP answer came."""
    host, port, secure = _address(url)
    connection: http.client.HTTPConnection
    if secure:
        connection = http.client.HTTPSConnection(host, port, timeout=timeout)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", urlsplit(url).path or "/", body=body, headers=dict(headers))
        return connection.getresponse().status
    except ssl.SSLCertVerificationError as error:
        return ProbeResult(
            "TLS certificate refused",
            f"the server's certificate was not accepted ({error.verify_message}): check the "
            "host name in the endpoint, or trust the collector's CA",
        )
    except ssl.SSLError as error:
        if "WRONG_VERSION_NUMBER" in str(error):
            return ProbeResult(
                "no TLS", "the endpoint does not speak TLS: use http:// instead of https://"
            )
        return ProbeResult("TLS failed", f"the TLS handshake failed ({error.reason})")
    except (ConnectionResetError, http.client.RemoteDisconnected, http.client.BadStatusLine):
        if not secure and _speaks_tls(host, port, timeout):
            return ProbeResult(
                "connection closed", "the endpoint needs TLS: use https:// instead of http://"
            )
        return ProbeResult(
            "connection closed without an HTTP answer",
            "this looks like an OTLP/gRPC port: set OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or use "
            f"the collector's HTTP port ({_DEFAULT_HTTP_PORT} by default for OTLP)",
        )
    except OSError as error:
        problem = _connection_problem(error, host, port, timeout)
        return ProbeResult(type(error).__name__, problem or f"the export failed ({error})")
    finally:
        connection.close()


def probe_otlp_http(
    url: str, headers: Mapping[str, str], compression: str, timeout: float, signal: str = "traces"
) -> ProbeResult:
    """POST an empty OTLP/HTTP export request to *url* (the full ``/v1/<signal>`` URL)."""
    body = b""  # an empty ExportTraceServiceRequest (or metrics...): no field set
    request_headers = {"Content-Type": "application/x-protobuf", **headers}
    if compression == "gzip":
        body = gzip.compress(body)
        request_headers["Content-Encoding"] = "gzip"
    answer = _http_post(url, body, request_headers, timeout)
    if isinstance(answer, ProbeResult):
        return answer
    return _http_status(answer, urlsplit(url).path, signal)


def _http_status(status: int, path: str, signal: str = "traces") -> ProbeResult:
    answer = f"HTTP {status}"
    if 200 <= status < 300:
        return ProbeResult(answer)
    if status in (401, 403):
        return ProbeResult(
            answer,
            "the collector refused the credentials: check the headers "
            f"(OTEL_EXPORTER_OTLP_HEADERS or OTEL_EXPORTER_OTLP_{signal.upper()}_HEADERS)",
        )
    if status == 404:
        return ProbeResult(
            answer,
            f"nothing at {path or '/'}: OTLP/HTTP takes {signal} at /v1/{signal}; give the base "
            "URL in OTEL_EXPORTER_OTLP_ENDPOINT, or the full URL in "
            f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT",
        )
    if status in (400, 415):
        return ProbeResult(
            answer, "the endpoint does not take OTLP/protobuf: check that it is an OTLP collector"
        )
    return ProbeResult(answer, f"the collector answered {answer}")


def probe_otlp_grpc(
    endpoint: str,
    headers: Mapping[str, str],
    compression: str,
    insecure: bool,
    timeout: float,
    signal: str = "traces",
) -> ProbeResult:
    """Call the OTLP *signal* service's ``Export`` with an empty request at *endpoint*."""
    import grpc

    host, port, secure = _address(endpoint)
    secure = secure and not insecure
    target = f"{host}:{port}"
    options: Any = grpc.Compression.Gzip if compression == "gzip" else None
    channel = (
        grpc.secure_channel(target, grpc.ssl_channel_credentials(), compression=options)
        if secure
        else grpc.insecure_channel(target, compression=options)
    )
    export = channel.unary_unary(
        _EXPORT_METHODS[signal],
        request_serializer=lambda _: b"",  # an empty export request
        response_deserializer=lambda data: data,
    )
    metadata = [(key.lower(), value) for key, value in headers.items()]
    try:
        export(None, timeout=timeout, metadata=metadata)
    except grpc.RpcError as error:
        code = error.code()
        details = str(error.details() or "")
        return _grpc_status(code.name, details, host, port, secure, timeout)
    finally:
        channel.close()
    return ProbeResult("gRPC OK")


def _grpc_status(
    code: str, details: str, host: str, port: int, secure: bool, timeout: float
) -> ProbeResult:
    answer = f"gRPC {code}"
    if code in ("UNAUTHENTICATED", "PERMISSION_DENIED"):
        return ProbeResult(
            answer,
            "the collector refused the credentials: check the headers "
            "(OTEL_EXPORTER_OTLP_HEADERS or OTEL_EXPORTER_OTLP_TRACES_HEADERS)",
        )
    if (code == "UNIMPLEMENTED" and "404" in details) or "http1.x" in details:
        return ProbeResult(
            answer,
            "this looks like an OTLP/HTTP port: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, "
            f"or use the collector's OTLP/gRPC port ({_DEFAULT_GRPC_PORT} by default)",
        )
    if code == "UNIMPLEMENTED":
        return ProbeResult(answer, "the endpoint speaks gRPC but is not an OTLP collector")
    if "WRONG_VERSION_NUMBER" in details or "handshake failed" in details.lower():
        return ProbeResult(
            answer,
            "the endpoint does not speak TLS: use http://, or OTEL_EXPORTER_OTLP_INSECURE=true",
        )
    if code == "UNAVAILABLE" and "refused" in details.lower():
        return ProbeResult(
            answer, f"nothing listens at {host}:{port}: start the collector, or fix the port"
        )
    if code == "UNAVAILABLE" and not secure and _speaks_tls(host, port, timeout):
        return ProbeResult(
            answer, "the endpoint needs TLS: use https:// and OTEL_EXPORTER_OTLP_INSECURE=false"
        )
    if code == "DEADLINE_EXCEEDED":
        return ProbeResult(answer, f"no answer from {host}:{port} within {timeout:g} s")
    return ProbeResult(answer, f"the export failed ({details or code})")


def probe_zipkin(url: str, timeout: float) -> ProbeResult:
    """POST an empty Zipkin JSON v2 span list to *url*."""
    answer = _http_post(url, b"[]", {"Content-Type": "application/json"}, timeout)
    if isinstance(answer, ProbeResult):
        return answer
    if 200 <= answer < 300:
        return ProbeResult(f"HTTP {answer}")
    return ProbeResult(f"HTTP {answer}", f"the Zipkin endpoint answered HTTP {answer}")
