"""OpenTelemetry's OTLP exporters, built from resolved settings, for any signal.

Traces and logs resolve the same six ``otlp_*`` settings (see
:func:`~.settings.resolve_otlp`); one function turns them into a factory
of the signal's exporter, over HTTP/protobuf or gRPC, so that both signals
get the same treatment of TLS, headers, timeouts, compression and forks
(the delivery builds a fresh exporter in each forked child; see
:mod:`.grpc_fork`).  The exporters' packages are optional: a missing one
raises ``ImportError``, which the callers turn into one warning.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .delivery import describe
from .endpoints import mask_url

if TYPE_CHECKING:
    from .settings import Setting

__all__ = [
    "GRPC_MESSAGE_LIMIT",
    "OtlpSettings",
    "otlp_destination",
    "otlp_exporter_factory",
    "request_problem",
]

Signal = Literal["traces", "logs"]

#: What a collector accepts in one gRPC request by default.
GRPC_MESSAGE_LIMIT = 4 * 1024 * 1024


class OtlpSettings(Protocol):
    """The OTLP options of one signal (``ExportSettings``, ``LogSettings``...)."""

    @property
    def otlp_protocol(self) -> Setting[str]: ...
    @property
    def otlp_endpoint(self) -> Setting[str]: ...
    @property
    def otlp_headers(self) -> Setting[dict[str, str]]: ...
    @property
    def otlp_timeout(self) -> Setting[float]: ...
    @property
    def otlp_compression(self) -> Setting[str]: ...
    @property
    def otlp_insecure(self) -> Setting[bool]: ...


def _grpc_exporter_class(signal: Signal) -> Any:
    if signal == "logs":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter

        return OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter


def _http_exporter_class(signal: Signal) -> Any:
    if signal == "logs":
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

        return OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter


def otlp_exporter_factory(settings: OtlpSettings, signal: Signal) -> Callable[[], Any]:
    """What makes the OTLP exporter of *signal* with *settings*' options.

    The exporter's package is imported now, so that a missing one shows at
    configuration time.
    """
    endpoint = settings.otlp_endpoint.value
    headers = settings.otlp_headers.value
    timeout = settings.otlp_timeout.value
    gzip = settings.otlp_compression.value == "gzip"
    if settings.otlp_protocol.value == "grpc":
        import grpc

        from .grpc_fork import in_this_process_only_if_safe

        grpc_class = _grpc_exporter_class(signal)
        # gRPC metadata keys must be lower-case; vendors document "Authorization=...".
        metadata = {key.lower(): value for key, value in headers.items()}
        insecure = settings.otlp_insecure.value or endpoint.startswith("http://")
        compression = grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression
        return in_this_process_only_if_safe(
            lambda: grpc_class(
                endpoint=endpoint,
                insecure=insecure,
                headers=metadata,
                timeout=timeout,
                compression=compression,
            )
        )
    from opentelemetry.exporter.otlp.proto.http import Compression

    http_class = _http_exporter_class(signal)
    http_compression = Compression.Gzip if gzip else Compression.NoCompression
    return lambda: http_class(
        endpoint=endpoint, headers=headers, timeout=timeout, compression=http_compression
    )


def otlp_destination(settings: OtlpSettings) -> str:
    """Where the exporter sends, for warnings and reports (password masked)."""
    return f"OTLP {settings.otlp_protocol.value} {mask_url(settings.otlp_endpoint.value)}"


def request_problem(encode: Callable[[], Any]) -> str | None:
    """Why the OTLP request *encode* makes cannot go out, or ``None`` if it can:
    it cannot be encoded, or it is over gRPC's message limit."""
    try:
        size = encode().ByteSize()
    except Exception as error:
        return f"could not be encoded: {describe(error)}"[:200]
    if size > GRPC_MESSAGE_LIMIT:
        return f"a request of {size} bytes is over the {GRPC_MESSAGE_LIMIT}-byte limit"
    return None
