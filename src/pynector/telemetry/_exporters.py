"""Turn exporter names (``otlp``, ``console``, ``zipkin``, ``none``) into span processors.

Each exporter's package is optional.  A missing one costs one warning that
says which extra to install, and the other exporters still work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ._environment import get_env_str, warn_malformed
from ._warnings import warn_once

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor

__all__ = ["KNOWN_EXPORTERS", "build_span_processors", "format_console_span"]

KNOWN_EXPORTERS = ("otlp", "console", "zipkin", "none")
_OTLP_PROTOCOLS = ("http/protobuf", "grpc")
_DEFAULT_OTLP_PROTOCOL = "http/protobuf"


def format_console_span(span: ReadableSpan) -> str:
    """One readable line per span: name, ids, parent, duration, status, attributes."""
    context = span.context
    parent = span.parent
    duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    attributes = " ".join(f"{key}={value!r}" for key, value in (span.attributes or {}).items())
    status = span.status.status_code.name
    fields = [
        f"span {span.name!r}",
        f"trace_id={context.trace_id:032x}" if context else "trace_id=-",
        f"span_id={context.span_id:016x}" if context else "span_id=-",
        f"parent_id={parent.span_id:016x}" if parent else "parent_id=-",
        f"duration_ms={duration_ms:.3f}",
        f"status={status}",
    ]
    if span.status.description:
        fields.append(f"error={span.status.description!r}")
    if attributes:
        fields.append(attributes)
    return " ".join(fields) + "\n"


def _missing_package(exporter: str, extra: str, error: ImportError) -> None:
    warn_once(
        f"exporter-missing:{exporter}",
        f"The {exporter!r} trace exporter needs a package that is not installed "
        f'({error.name or error}). Install it with: pip install "pynector[{extra}]". '
        "Tracing continues without this exporter.",
    )


def otlp_protocol() -> str:
    """The OTLP protocol from the environment, per the OpenTelemetry specification."""
    name = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    value = get_env_str(name)
    if value is None:
        name = "OTEL_EXPORTER_OTLP_PROTOCOL"
        value = get_env_str(name)
    if value is None:
        return _DEFAULT_OTLP_PROTOCOL
    if value.lower() not in _OTLP_PROTOCOLS:
        warn_malformed(name, value, " or ".join(_OTLP_PROTOCOLS), _DEFAULT_OTLP_PROTOCOL)
        return _DEFAULT_OTLP_PROTOCOL
    return value.lower()


def _console() -> SpanProcessor:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    return SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stdout, formatter=format_console_span))


def _otlp() -> SpanProcessor:
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    exporter: Any
    if otlp_protocol() == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as OTLPHttpSpanExporter,
        )

        exporter = OTLPHttpSpanExporter()
    return BatchSpanProcessor(exporter)


def _zipkin() -> SpanProcessor:
    from opentelemetry.exporter.zipkin.json import ZipkinExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    return BatchSpanProcessor(ZipkinExporter())


_FACTORIES: dict[str, tuple[Callable[[], SpanProcessor], str]] = {
    "console": (_console, "observability"),
    "otlp": (_otlp, "otlp"),
    "zipkin": (_zipkin, "zipkin"),
}


def build_span_processors(names: Sequence[str]) -> list[tuple[str, SpanProcessor]]:
    """One span processor per usable exporter name, in order, without duplicates.

    Unknown names and missing packages produce a warning and are skipped.
    """
    processors: list[tuple[str, SpanProcessor]] = []
    for raw_name in names:
        name = raw_name.strip().lower()
        if name == "none" or name in (built for built, _ in processors):
            continue
        if name not in _FACTORIES:
            warn_once(
                f"exporter-unknown:{name}",
                f"Unknown trace exporter {raw_name!r}; expected a comma-separated "
                f"list of {', '.join(KNOWN_EXPORTERS)}. It is ignored.",
            )
            continue
        factory, extra = _FACTORIES[name]
        try:
            processors.append((name, factory()))
        except ImportError as error:
            _missing_package(name, extra, error)
    return processors
