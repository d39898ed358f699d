"""pynector's own health as metrics: what the delivering span processors did.

:class:`~.delivery.DeliveringSpanProcessor` replaces the SDK's batch span
processor, so with ``OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED=true`` it
publishes what the SDK's would, under the semantic conventions' names, and
dashboards built for OpenTelemetry's self-metrics work unchanged:

* ``otel.sdk.processor.span.processed`` — spans exported, and with
  ``error.type`` those dropped (``queue_full``), not accepted by the
  collector (``export_failed``) or abandoned at exit (``abandoned``);
* ``otel.sdk.processor.span.queue.size`` and ``.queue.capacity``.

The values are read from each processor's public ``stats`` and queue
properties when metrics are collected, through pynector's own meter, so
they report whichever meter provider the application ends up with.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..metrics import CallbackOptions, Observation, get_meter

__all__ = ["observe_span_processor"]

_COMPONENT_TYPE = "batching_span_processor"

#: (processor, its attributes), in the order they were observed.
_observed: list[tuple[Any, dict[str, str]]] = []


def _processed(options: CallbackOptions) -> Iterator[Observation]:
    for processor, attributes in _observed:
        stats = processor.stats
        yield Observation(stats.exported, attributes)
        for error_type, count in (
            ("queue_full", stats.dropped),
            ("export_failed", stats.failed),
            ("abandoned", stats.abandoned),
        ):
            if count:
                yield Observation(count, {**attributes, "error.type": error_type})


def _queue_size(options: CallbackOptions) -> Iterator[Observation]:
    for processor, attributes in _observed:
        yield Observation(processor.queue_size, attributes)


def _queue_capacity(options: CallbackOptions) -> Iterator[Observation]:
    for processor, attributes in _observed:
        yield Observation(processor.queue_capacity, attributes)


def _create_instruments() -> None:
    meter = get_meter("pynector.telemetry")
    meter.create_observable_counter(
        "otel.sdk.processor.span.processed",
        callbacks=[_processed],
        unit="{span}",
        description="The number of spans for which the processing has finished, "
        "either successful or failed.",
    )
    meter.create_observable_up_down_counter(
        "otel.sdk.processor.span.queue.size",
        callbacks=[_queue_size],
        unit="{span}",
        description="The number of spans in the queue of a given instance of an SDK "
        "span processor.",
    )
    meter.create_observable_up_down_counter(
        "otel.sdk.processor.span.queue.capacity",
        callbacks=[_queue_capacity],
        unit="{span}",
        description="The maximum number of spans the queue of a given instance of an SDK "
        "span processor can hold.",
    )


def observe_span_processor(processor: Any) -> None:
    """Publish *processor*'s delivery statistics as metrics (once per processor).

    Anything without ``stats`` and queue properties (the console's simple
    processor) is left alone: the SDK publishes its own.
    """
    if not all(hasattr(processor, name) for name in ("stats", "queue_size", "queue_capacity")):
        return
    if any(observed is processor for observed, _ in _observed):
        return
    if not _observed:
        _create_instruments()
    attributes = {
        "otel.component.type": _COMPONENT_TYPE,
        "otel.component.name": f"{_COMPONENT_TYPE}/pynector-{len(_observed)}",
    }
    _observed.append((processor, attributes))
