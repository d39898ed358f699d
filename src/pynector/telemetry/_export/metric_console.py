"""The console metric exporter's format: one readable line per data point.

Used by ``metric_exporters=["console"]``; lines go to the console stream
(stderr unless ``PYNECTOR_CONSOLE_STREAM=stdout``) at each export, in the
spirit of the span lines of :mod:`.console`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics.export import MetricsData

__all__ = ["format_console_metrics"]


def _point(point: Any) -> str:
    if hasattr(point, "value"):
        return f"value={point.value!r}"
    if hasattr(point, "bucket_counts") and hasattr(point, "explicit_bounds"):
        bounds = [f"le{bound:g}" for bound in point.explicit_bounds] + ["le+inf"]
        buckets = " ".join(
            f"{bound}={count}"
            for bound, count in zip(bounds, point.bucket_counts, strict=False)
            if count
        )
        return (
            f"count={point.count} sum={point.sum!r} min={point.min!r} max={point.max!r} {buckets}"
        )
    return f"count={point.count} sum={point.sum!r}"  # exponential histogram


def format_console_metrics(metrics_data: MetricsData) -> str:
    """One line per data point: metric name, unit, attributes and value (or count/sum)."""
    lines = []
    for resource_metrics in metrics_data.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                unit = f" unit={metric.unit}" if metric.unit else ""
                for point in metric.data.data_points:
                    attributes = "".join(
                        f" {key}={value!r}" for key, value in (point.attributes or {}).items()
                    )
                    lines.append(f"metric {metric.name!r}{unit}{attributes} {_point(point)}\n")
    return "".join(lines)
