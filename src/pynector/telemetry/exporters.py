"""Exporter choices with explicit options, for ``configure_telemetry(trace_exporters=...)``.

A plain name (``"otlp"``, ``"console"``, ``"zipkin"``, ``"none"``) takes every
option from the ``OTEL_*`` environment; these objects set options in code.
An option left as ``None`` still comes from the environment, then the default.

>>> from pynector.telemetry import configure_telemetry
>>> configure_telemetry(
...     service_name="checkout",
...     trace_exporters=[OTLP(endpoint="https://collector:4318/v1/traces", headers={"x-key": "k"})],
... )
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["OTLP", "ExporterChoice", "Zipkin"]


@dataclass(frozen=True)
class OTLP:
    """Export over OTLP to a collector or any OTLP backend.

    Attributes:
        endpoint: the full traces URL for HTTP (``http://host:4318/v1/traces``)
            or ``http(s)://host:4317`` for gRPC.
        protocol: ``"http/protobuf"`` or ``"grpc"``.
        headers: sent with every request (API keys go here; never logged).
        timeout: seconds per export request, retries included.
        compression: ``"gzip"`` or ``"none"``.
        insecure: gRPC only: plaintext even for a non-``http`` endpoint.
    """

    endpoint: str | None = None
    protocol: str | None = None
    headers: Mapping[str, str] | None = None
    timeout: float | None = None
    compression: str | None = None
    insecure: bool | None = None


@dataclass(frozen=True)
class Zipkin:
    """Export Zipkin JSON v2 to *endpoint* (``http://host:9411/api/v2/spans``)."""

    endpoint: str | None = None
    timeout: float | None = None


#: What ``trace_exporters`` accepts: a name, or an options object.
ExporterChoice: TypeAlias = "str | OTLP | Zipkin"
