"""Exporters and processors of an application's own, for the tests of what
``configure_telemetry`` does with them (``test_own_exporters.py``).

Real subclasses of the OpenTelemetry SDK's classes; this module imports the
SDK, so tests import it only where the SDK is installed.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.metrics.export import (
    InMemoryMetricReader,
    MetricExporter,
    MetricExportResult,
    MetricsData,
)
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

__all__ = [
    "SECRET",
    "Enriching",
    "FailingLogProcessor",
    "FailingProcessor",
    "FailingReader",
    "Recorder",
    "RefusingSpanExporter",
    "SecretiveExporter",
    "SecretiveReader",
    "StuckMetricExporter",
    "StuckSpanExporter",
]

SECRET = "hunter2-s3cr3t"


class Recorder(SpanProcessor):
    """A span processor of the application's own: records what each hook is given."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.ending: list[str] = []
        self.ended: list[ReadableSpan] = []
        self.flushed = 0
        self.shut_down = 0

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        self.started.append((span.name, dict(span.attributes or {})))

    def _on_ending(self, span: Span) -> None:
        self.ending.append(span.name)

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        self.flushed += 1
        return True

    def shutdown(self) -> None:
        self.shut_down += 1


class RefusingSpanExporter(SpanExporter):
    """A span exporter that refuses every export, with a secret in its repr."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.FAILURE

    def __repr__(self) -> str:
        return f"RefusingSpanExporter(headers={{'authorization': 'Bearer {SECRET}'}})"


class Enriching(LogRecordProcessor):
    """A log record processor of the application's own: records what it is given."""

    def __init__(self) -> None:
        self.emitted: list[tuple[Any, dict[str, Any]]] = []
        self.shut_down = 0

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        record = log_record.log_record
        self.emitted.append((record.body, dict(record.attributes or {})))

    def shutdown(self) -> None:
        self.shut_down += 1

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


class SecretiveExporter(SpanExporter):
    """A span exporter whose repr holds its credentials."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS

    def __repr__(self) -> str:
        return f"SecretiveExporter(token={SECRET!r})"


class StuckSpanExporter(SpanExporter):
    """Exports, but its ``shutdown`` never returns until *release* is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.exported += [span.name for span in spans]
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.release.wait()


class StuckMetricExporter(MetricExporter):
    """Exports, but its ``shutdown`` never returns until *release* is set."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.exported = 0

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.exported += 1
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        self.release.wait()


class SecretiveReader(InMemoryMetricReader):
    """An in-memory metric reader whose repr holds a credential."""

    def __repr__(self) -> str:
        return f"SecretiveReader(vendor key {SECRET})"


class FailingProcessor(SpanProcessor):
    """A span processor with a bug in every method the SDK calls."""

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        raise RuntimeError("on_start bug")

    def _on_ending(self, span: Span) -> None:
        raise RuntimeError("_on_ending bug")

    def on_end(self, span: ReadableSpan) -> None:
        raise RuntimeError("on_end bug")

    def shutdown(self) -> None:
        raise RuntimeError("shutdown bug")

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        raise RuntimeError("force_flush bug")

    def __repr__(self) -> str:
        return f"FailingProcessor(token={SECRET})"


class FailingLogProcessor(LogRecordProcessor):
    """A log record processor with a bug in every method the SDK calls."""

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        raise RuntimeError("on_emit bug")

    emit = on_emit  # older SDKs call emit

    def shutdown(self) -> None:
        raise RuntimeError("shutdown bug")

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        raise RuntimeError("force_flush bug")


class FailingReader(InMemoryMetricReader):
    """An in-memory metric reader whose shutdown fails."""

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        raise RuntimeError("shutdown bug")
