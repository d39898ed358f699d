"""A capture's metrics as plain dicts, one per data point.

OpenTelemetry's collected data says how a metric aggregates (a monotonic
sum, a non-monotonic sum, a gauge, a histogram), not which instrument
made it: a counter and an observable counter both give a monotonic sum.
The instrument's kind is therefore looked up in the meter provider's
registry of instruments (:func:`instrument_kinds`); when that cannot be
read (a view renamed the metric, another SDK version), the kind is
inferred from the data, as a synchronous instrument's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._export.metric_console import point_values

__all__ = ["instrument_kinds", "metric_points"]

#: Class names of the SDK's instruments (without a leading "_") -> kind.
_KINDS = {
    "Counter": "counter",
    "UpDownCounter": "up_down_counter",
    "Histogram": "histogram",
    "Gauge": "gauge",
    "ObservableCounter": "observable_counter",
    "ObservableUpDownCounter": "observable_up_down_counter",
    "ObservableGauge": "observable_gauge",
}


def instrument_kinds(provider: Any) -> dict[tuple[Any, str], str]:
    """(instrumentation scope, instrument name) -> kind, for *provider*'s instruments.

    Reads the SDK meter provider's meters and their instruments (private
    attributes, read defensively): empty if they are not there.
    """
    kinds: dict[tuple[Any, str], str] = {}
    for scope, meter in list(getattr(provider, "_meters", {}).items()):
        for instrument in list(getattr(meter, "_instrument_id_instrument", {}).values()):
            kind = _KINDS.get(type(instrument).__name__.lstrip("_"))
            if kind is not None:
                kinds.setdefault((scope, instrument.name), kind)
    return kinds


def _inferred_kind(data: Any) -> str:
    kind = type(data).__name__
    if kind == "Sum":
        return "counter" if data.is_monotonic else "up_down_counter"
    if kind == "Gauge":
        return "gauge"
    return "histogram"


def _order(point: Mapping[str, Any]) -> tuple[str, str, list[tuple[str, str]]]:
    attributes = sorted((key, repr(value)) for key, value in point["attributes"].items())
    return point["name"], point["scope"] or "", attributes


def metric_points(metrics_data: Any, kinds: Mapping[tuple[Any, str], str]) -> list[dict[str, Any]]:
    """Every data point of *metrics_data* as a dict, by name, then scope, then attributes.

    Each: ``name``, ``kind``, ``unit``, ``description``, ``scope`` (the
    meter's name), ``attributes``, and the numbers of
    :func:`~pynector.telemetry._export.metric_console.point_values`.
    """
    points: list[dict[str, Any]] = []
    for resource_metrics in metrics_data.resource_metrics if metrics_data is not None else ():
        for scope_metrics in resource_metrics.scope_metrics:
            scope = scope_metrics.scope
            for metric in scope_metrics.metrics:
                kind = kinds.get((scope, metric.name)) or _inferred_kind(metric.data)
                for point in metric.data.data_points:
                    points.append(
                        {
                            "name": metric.name,
                            "kind": kind,
                            "unit": metric.unit or "",
                            "description": metric.description or "",
                            "scope": getattr(scope, "name", None),
                            "attributes": dict(point.attributes or {}),
                            **point_values(point),
                        }
                    )
    points.sort(key=_order)
    return points
