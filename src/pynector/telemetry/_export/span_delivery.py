"""Spans through a :class:`~.delivery.Delivery`: the SDK span processor and the span sender.

:class:`DeliveringSpanProcessor` queues each ended, sampled span;
:class:`SpanSender` sanitises a batch, packs it into requests the collector
accepts (:mod:`.span_sanitising`) and hands them to an OpenTelemetry
``SpanExporter``.  The processor is given a *factory* of exporters, not an
exporter: a forked child builds its own (a gRPC channel does not survive a
fork, and an HTTP session's connections belong to the parent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace import SpanProcessor
from opentelemetry.sdk.trace.export import SpanExportResult

from .delivery import BatchOptions, Delivery, DeliveryFront, Sent, shutdown_exporter
from .otlp_exporters import request_problem
from .request_packing import MAX_REQUEST_BYTES, send_packed
from .settings import DEFAULT_VALUE_LENGTH_LIMIT
from .span_sanitising import sanitise_span

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = ["DeliveringSpanProcessor", "SpanSender", "otlp_encoding_problem"]

EncodingProblem = Callable[[Sequence["ReadableSpan"]], "str | None"]


def otlp_encoding_problem(spans: Sequence[ReadableSpan]) -> str | None:
    """Why *spans* cannot go out as one OTLP request, or ``None`` if they can."""
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return request_problem(lambda: encode_spans(spans))


class SpanSender:
    """Send one batch of spans through *exporter*, bad spans set aside."""

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        value_length_limit: int | None = DEFAULT_VALUE_LENGTH_LIMIT,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        encoding_problem: EncodingProblem | None = None,
    ) -> None:
        self.exporter = exporter
        self._limit = value_length_limit
        self._max_request_bytes = max_request_bytes
        self._encoding_problem = encoding_problem

    def send(self, batch: list[ReadableSpan]) -> Sent[ReadableSpan]:
        sanitised = [sanitise_span(span, self._limit) for span in batch]
        return send_packed(sanitised, self._max_request_bytes, self._export, self._encoding_problem)

    def _export(self, spans: list[ReadableSpan]) -> bool:
        return self.exporter.export(spans) is SpanExportResult.SUCCESS

    def shutdown(self, timeout: float) -> None:
        """Shut the exporter down, interrupting its retries, within *timeout* seconds."""
        shutdown_exporter(self.exporter, timeout)


class DeliveringSpanProcessor(DeliveryFront["ReadableSpan"], SpanProcessor):
    """Deliver ended, sampled spans to exporters made by *new_exporter*.

    See :mod:`.delivery` for the guarantees.  *destination* names where
    spans go in warnings and reports.
    """

    def __init__(
        self,
        new_exporter: Callable[[], SpanExporter],
        destination: str,
        options: BatchOptions | None = None,
        *,
        value_length_limit: int | None = DEFAULT_VALUE_LENGTH_LIMIT,
        encoding_problem: EncodingProblem | None = None,
    ) -> None:
        self._wrappers: list[Callable[[SpanExporter], SpanExporter]] = []

        def new_sender() -> SpanSender:
            exporter = new_exporter()
            for wrap in self._wrappers:
                exporter = wrap(exporter)
            return SpanSender(
                exporter,
                value_length_limit=value_length_limit,
                encoding_problem=encoding_problem,
            )

        self._delivery: Delivery[ReadableSpan] = Delivery(new_sender, destination, options)

    def wrap_exporter(self, wrap: Callable[[SpanExporter], SpanExporter]) -> None:
        """Put *wrap* around this process's exporter and each one made after a fork."""
        self._wrappers.append(wrap)
        sender = self._delivery.sender
        if isinstance(sender, SpanSender):
            sender.exporter = wrap(sender.exporter)

    @property
    def exporter(self) -> SpanExporter | None:
        """The exporter this process uses, once it has one."""
        sender = self._delivery.sender
        return sender.exporter if isinstance(sender, SpanSender) else None

    def on_end(self, span: ReadableSpan) -> None:
        context = span.context
        if context is not None and context.trace_flags.sampled:
            self._delivery.offer(span)
