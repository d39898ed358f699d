"""The application's own log exporters and processors, carried over when the log export is replaced.

Every :func:`~pynector.telemetry.configure_telemetry` call replaces
pynector's log export: the earlier logger provider is shut down, which
delivers what it still holds and shuts down its processors and exporters.
An exporter or processor of the application's own that the new call is
given again must not be shut down with it: an ``InMemoryLogRecordExporter``
would refuse every record after, and a ``BatchLogRecordProcessor`` would
stop.  So each one is held by an :class:`OwnLogProcessor`, and when the
same instance is given again the processor that serves it (pynector's
delivering processor for an exporter, the application's own otherwise)
moves to the new provider, queue and all; the earlier provider's shutdown
leaves it alone.  One given only to the earlier call is shut down with it.

The application's processor is called from inside the application's log
calls and exit hooks: a failure there is one warning per processor and
method (see :func:`~.own_exporters.own_failed`), and the processors after
it still get every record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk._logs import LogRecordProcessor, ReadWriteLogRecord

from .own_exporters import own_failed

__all__ = ["OwnLogProcessor", "carried_over"]


class OwnLogProcessor(LogRecordProcessor):
    """Serves *instance*, an exporter or processor of the application's own,
    through *processor* (the delivering processor made for an exporter, or
    *instance* itself)."""

    def __init__(self, instance: object, processor: LogRecordProcessor) -> None:
        self.instance = instance
        self.processor = processor
        self._moved = False

    def move(self) -> OwnLogProcessor:
        """The same *processor*, for a new provider; this one's shutdown leaves it alone."""
        self._moved = True
        return OwnLogProcessor(self.instance, self.processor)

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        try:
            self.processor.on_emit(log_record)
        except Exception as error:
            own_failed(self.instance, "on_emit", error)

    def enabled(self, **arguments: Any) -> bool:
        try:
            return self.processor.enabled(**arguments)
        except Exception as error:
            own_failed(self.instance, "enabled", error)
            return True  # as the SDK assumes of a processor without the method

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        try:
            return bool(self.processor.force_flush(timeout_millis))
        except Exception as error:
            own_failed(self.instance, "force_flush", error)
            return False

    def shutdown(self) -> None:
        if not self._moved:
            try:
                self.processor.shutdown()
            except Exception as error:
                own_failed(self.instance, "shutdown", error)


def carried_over(instance: object, earlier: Sequence[OwnLogProcessor]) -> OwnLogProcessor | None:
    """The processor serving *instance* in the earlier log export, moved to a
    new one; ``None`` if the earlier export did not serve it."""
    for own in earlier:
        if own.instance is instance and not own._moved:
            return own.move()
    return None
