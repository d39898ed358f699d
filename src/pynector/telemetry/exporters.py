"""Exporter choices with explicit options, for ``configure_telemetry(trace_exporters=...)``
(and ``log_exporters=...``, ``metric_exporters=...``).

A plain name (``"otlp"``, ``"console"``, ``"console-lines"``, ``"zipkin"``,
``"none"``) takes every option from the environment; these objects set
options in code.
An option left as ``None`` still comes from the environment, then the default.
The same lists also take OpenTelemetry exporters and processors of the
application's own, mixed with names and options (see
:func:`~pynector.telemetry.configure_telemetry`).

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
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import LogRecordProcessor
    from opentelemetry.sdk._logs.export import LogRecordExporter
    from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader
    from opentelemetry.sdk.trace import SpanProcessor
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = [
    "OTLP",
    "Console",
    "ExporterChoice",
    "LogExporterChoice",
    "MetricExporterChoice",
    "TraceExporterChoice",
    "Zipkin",
]


@dataclass(frozen=True)
class OTLP:
    """Export over OTLP to a collector or any OTLP backend.

    Attributes:
        endpoint: for HTTP, the collector's URL (``http://host:4318``, to which
            ``/v1/traces`` is appended, or ``/v1/logs`` among the log
            exporters) or a full URL with a path, used as given
            (``https://gateway/otlp/v1/traces``); for gRPC,
            ``http(s)://host:4317``.
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


@dataclass(frozen=True)
class Console:
    """Print spans on the console, for a person reading them while debugging.

    Attributes:
        format: ``"tree"`` (the ``console`` exporter: each trace drawn as an
            indented tree, log lines nested) or ``"lines"`` (the
            ``console-lines`` exporter: one line per span, for programs).
        stream: ``"stderr"`` (the default, so stdout stays the program's) or
            ``"stdout"``; environment: ``PYNECTOR_CONSOLE_STREAM``.
        colors: ``True``/``False`` to force colours on or off; by default a
            terminal gets them, unless ``NO_COLOR`` is set; environment:
            ``PYNECTOR_CONSOLE_COLORS=auto|always|never``.
        pending_after: seconds after which a trace still running is drawn
            as far as it got (tree only); environment:
            ``PYNECTOR_CONSOLE_PENDING_MS``; default 1 s.
    """

    format: str = "tree"
    stream: str | None = None
    colors: bool | None = None
    pending_after: float | None = None


#: A name, or an options object (for log records, ``OTLP``, or ``Console`` for its stream).
ExporterChoice: TypeAlias = "str | OTLP | Zipkin | Console"

#: What ``trace_exporters`` accepts: a name, an options object, or an
#: OpenTelemetry ``SpanExporter`` (delivered by pynector) or ``SpanProcessor``
#: (added as given) of the application's own.
TraceExporterChoice: TypeAlias = "str | OTLP | Zipkin | Console | SpanExporter | SpanProcessor"

#: What ``log_exporters`` accepts: a name, ``OTLP`` or ``Console`` options, or an
#: OpenTelemetry ``LogRecordExporter`` (delivered by pynector) or
#: ``LogRecordProcessor`` (added as given) of the application's own.
LogExporterChoice: TypeAlias = "str | OTLP | Console | LogRecordExporter | LogRecordProcessor"

#: What ``metric_exporters`` accepts: a name, ``OTLP`` options, or an OpenTelemetry
#: ``MetricExporter`` (delivered by pynector) or ``MetricReader`` (added as given)
#: of the application's own (an ``InMemoryMetricReader`` in tests, say).
MetricExporterChoice: TypeAlias = "str | OTLP | MetricExporter | MetricReader"
