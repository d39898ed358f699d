"""Log records through a :class:`~.delivery.Delivery`: the SDK log record processor and sender.

The delivery that serves spans serves log records too, with the same
guarantees (see :mod:`.delivery`): batching, accounting (every record
exported, failed, dropped or abandoned, reported once at exit), retries
through an outage, a bounded exit with a dead collector, and fork safety
(a forked child delivers its own records, with an exporter of its own).
Only the two ends are log-specific: :class:`DeliveringLogProcessor`
queues each emitted record, and :class:`LogSender` hands a batch to an
OpenTelemetry ``LogRecordExporter`` as requests a collector accepts
(packed by estimated size, see :mod:`.request_packing`), setting aside a
record that cannot be encoded or is too large rather than losing its
whole batch.

Exports run with OpenTelemetry's suppress-instrumentation flag set (by the
delivery's worker), so what an HTTP or gRPC client logs during an export is
recognised by the log export handler and never exported in turn.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from opentelemetry import context as otel_context
from opentelemetry.sdk._logs import LogRecordProcessor, ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExportResult
from opentelemetry.sdk.resources import Resource

from .delivery import BatchOptions, Delivery, DeliveryFront, Sent, shutdown_exporter
from .otlp_exporters import request_problem
from .request_packing import MAX_REQUEST_BYTES, send_packed, sized_attributes, sized_value

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import ReadWriteLogRecord
    from opentelemetry.sdk._logs.export import LogRecordExporter

__all__ = ["DeliveringLogProcessor", "LogSender", "estimated_size", "otlp_log_encoding_problem"]

EncodingProblem = Callable[[Sequence[ReadableLogRecord]], "str | None"]

_RECORD_OVERHEAD = 96  # times, severity, ids, flags, framing: generous


def estimated_size(record: ReadableLogRecord) -> int:
    """About how many bytes *record* takes in an OTLP request (its values
    are already clean: the log export handler made them)."""
    log_record = record.log_record
    _, body_size = sized_value(log_record.body, None)
    _, attributes_size = sized_attributes(log_record.attributes, None)
    text = log_record.severity_text or ""
    return _RECORD_OVERHEAD + body_size + attributes_size + len(text)


def otlp_log_encoding_problem(records: Sequence[ReadableLogRecord]) -> str | None:
    """Why *records* cannot go out as one OTLP request, or ``None`` if they can."""
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs

    return request_problem(lambda: encode_logs(records))


class LogSender:
    """Send one batch of log records through *exporter*, bad records set aside."""

    def __init__(
        self,
        exporter: LogRecordExporter,
        encoding_problem: EncodingProblem | None = None,
        *,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self.exporter = exporter
        self._encoding_problem = encoding_problem
        self._max_request_bytes = max_request_bytes

    def send(self, batch: list[ReadableLogRecord]) -> Sent[ReadableLogRecord]:
        sized = [(record, estimated_size(record)) for record in batch]
        return send_packed(sized, self._max_request_bytes, self._export, self._encoding_problem)

    def _export(self, records: list[ReadableLogRecord]) -> bool:
        return self.exporter.export(records) is LogRecordExportResult.SUCCESS

    def shutdown(self, timeout: float) -> None:
        shutdown_exporter(self.exporter, timeout)


class DeliveringLogProcessor(DeliveryFront[ReadableLogRecord], LogRecordProcessor):
    """Deliver every emitted log record to exporters made by *new_exporter*.

    *destination* names where records go in warnings and reports.
    """

    def __init__(
        self,
        new_exporter: Callable[[], LogRecordExporter],
        destination: str,
        options: BatchOptions | None = None,
        *,
        encoding_problem: EncodingProblem | None = None,
    ) -> None:
        def new_sender() -> LogSender:
            return LogSender(new_exporter(), encoding_problem)

        self._delivery = Delivery(
            new_sender,
            destination,
            options,
            what="log records",
            queue_setting="OTEL_BLRP_MAX_QUEUE_SIZE",
        )

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        # Queue a read-only copy without the context the record was made in
        # (it may hold large objects), as the SDK's batch processor does.
        record = copy.copy(log_record.log_record)
        record.context = otel_context.Context()
        self._delivery.offer(
            ReadableLogRecord(
                log_record=record,
                resource=log_record.resource or Resource.get_empty(),
                instrumentation_scope=log_record.instrumentation_scope,
                limits=log_record.limits,
            )
        )
