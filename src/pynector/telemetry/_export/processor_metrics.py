"""pynector's own health as metrics: what the delivering processors did.

:class:`~.span_delivery.DeliveringSpanProcessor` and
:class:`~.log_delivery.DeliveringLogProcessor` replace the SDK's batch
processors, so with ``OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED=true`` they
publish what the SDK's would, under the semantic conventions' names, and
dashboards built for OpenTelemetry's self-metrics work unchanged (``span``
or ``log``):

* ``otel.sdk.processor.span.processed`` — spans exported, and with
  ``error.type`` those dropped (``queue_full``), not accepted by the
  collector (``export_failed``) or abandoned at exit (``abandoned``);
  ``otel.sdk.processor.log.processed`` — the same for log records;
* ``otel.sdk.processor.span.queue.size`` and ``.queue.capacity`` (and
  ``...log.queue...``).

The values are read from each processor's public ``stats`` and queue
properties when metrics are collected, through pynector's own meter, so
they report whichever meter provider the application ends up with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from ..metrics import CallbackOptions, Observation, get_meter

__all__ = ["observe_processor"]

Signal = Literal["span", "log"]

#: signal -> (component type, unit, what its items are called in descriptions)
_SIGNALS: dict[str, tuple[str, str, str]] = {
    "span": ("batching_span_processor", "{span}", "spans"),
    "log": ("batching_log_processor", "{log_record}", "log records"),
}

#: signal -> (processor, its attributes), in the order they were observed.
_observed: dict[str, list[tuple[Any, dict[str, str]]]] = {}


def _processed(signal: str) -> Callable[[CallbackOptions], Iterator[Observation]]:
    def observe(options: CallbackOptions) -> Iterator[Observation]:
        for processor, attributes in _observed[signal]:
            stats = processor.stats
            yield Observation(stats.exported, attributes)
            for error_type, count in (
                ("queue_full", stats.dropped),
                ("export_failed", stats.failed),
                ("abandoned", stats.abandoned),
            ):
                if count:
                    yield Observation(count, {**attributes, "error.type": error_type})

    return observe


def _queue(signal: str, read: str) -> Callable[[CallbackOptions], Iterator[Observation]]:
    def observe(options: CallbackOptions) -> Iterator[Observation]:
        for processor, attributes in _observed[signal]:
            yield Observation(getattr(processor, read), attributes)

    return observe


def _create_instruments(signal: str) -> None:
    _, unit, items = _SIGNALS[signal]
    meter = get_meter("pynector.telemetry")
    meter.create_observable_counter(
        f"otel.sdk.processor.{signal}.processed",
        callbacks=[_processed(signal)],
        unit=unit,
        description=f"The number of {items} for which the processing has finished, "
        "either successful or failed.",
    )
    meter.create_observable_up_down_counter(
        f"otel.sdk.processor.{signal}.queue.size",
        callbacks=[_queue(signal, "queue_size")],
        unit=unit,
        description=f"The number of {items} in the queue of a given instance of an SDK "
        f"{signal} processor.",
    )
    meter.create_observable_up_down_counter(
        f"otel.sdk.processor.{signal}.queue.capacity",
        callbacks=[_queue(signal, "queue_capacity")],
        unit=unit,
        description=f"The maximum number of {items} the queue of a given instance of an SDK "
        f"{signal} processor can hold.",
    )


def observe_processor(processor: Any, signal: Signal) -> None:
    """Publish *processor*'s delivery statistics as *signal* metrics (once per processor).

    Anything without ``stats`` and queue properties (the console's simple
    processor) is left alone: the SDK publishes its own.
    """
    if not all(hasattr(processor, name) for name in ("stats", "queue_size", "queue_capacity")):
        return
    observed = _observed.setdefault(signal, [])
    if any(known is processor for known, _ in observed):
        return
    if not observed:
        _create_instruments(signal)
    component_type = _SIGNALS[signal][0]
    attributes = {
        "otel.component.type": component_type,
        "otel.component.name": f"{component_type}/pynector-{len(observed)}",
    }
    observed.append((processor, attributes))
