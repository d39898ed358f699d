"""The console metric exporter's format: one readable line per data point.

Used by ``metric_exporters=["console"]``; lines go to the console stream
(stderr unless ``PYNECTOR_CONSOLE_STREAM=stdout``) at each export, in the
spirit of the span lines of :mod:`.console`.  The test capture
(:mod:`pynector.telemetry.testing`) lists its data points with the same
two functions, so a failing test shows what the console would.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricsData

__all__ = ["format_console_metrics", "metric_line", "point_values"]


def point_values(point: Any) -> dict[str, Any]:
    """A data point's numbers as a dict.

    ``value`` for sums and gauges; ``count``, ``sum``, ``min``, ``max`` and
    ``buckets`` for histograms.  ``buckets`` maps each bucket's upper bound
    (inclusive; the last is ``math.inf``) to its count; it is ``None`` for
    an exponential histogram, whose buckets have no fixed bounds.
    """
    if hasattr(point, "value"):
        return {"value": point.value}
    buckets = None
    if hasattr(point, "bucket_counts") and hasattr(point, "explicit_bounds"):
        bounds = (*point.explicit_bounds, math.inf)
        buckets = dict(zip(bounds, point.bucket_counts, strict=False))
    return {
        "count": point.count,
        "sum": point.sum,
        "min": getattr(point, "min", None),
        "max": getattr(point, "max", None),
        "buckets": buckets,
    }


def _numbers(values: Mapping[str, Any]) -> str:
    if "value" in values:
        return f"value={values['value']!r}"
    buckets = values["buckets"]
    if buckets is None:  # exponential histogram
        return f"count={values['count']} sum={values['sum']!r}"
    filled = " ".join(
        f"le{'+inf' if bound == math.inf else format(bound, 'g')}={count}"
        for bound, count in buckets.items()
        if count
    )
    return (
        f"count={values['count']} sum={values['sum']!r} min={values['min']!r} "
        f"max={values['max']!r} {filled}"
    )


def metric_line(
    name: str, unit: str | None, attributes: Mapping[str, Any], values: Mapping[str, Any]
) -> str:
    """One data point as a line: name, unit, attributes, then its numbers.

    *values* are as :func:`point_values` gives them.

    >>> metric_line("mylib.requests", "", {"route": "/"}, {"value": 3})
    "metric 'mylib.requests' route='/' value=3\\n"
    """
    shown_unit = f" unit={unit}" if unit else ""
    shown_attributes = "".join(f" {key}={value!r}" for key, value in attributes.items())
    return f"metric {name!r}{shown_unit}{shown_attributes} {_numbers(values)}\n"


def format_console_metrics(metrics_data: MetricsData) -> str:
    """One line per data point: metric name, unit, attributes and value (or count/sum)."""
    lines = []
    for resource_metrics in metrics_data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                for point in metric.data.data_points:
                    lines.append(
                        metric_line(
                            metric.name, metric.unit, point.attributes or {}, point_values(point)
                        )
                    )
    return "".join(lines)
