"""Read metrics collected by the SDK's in-memory reader, or by the test collector."""

from __future__ import annotations

from typing import Any


def collect(reader: Any) -> dict[str, list[Any]]:
    """Collect now; metric name -> its data points (attributes, value or sum...)."""
    data = reader.get_metrics_data()
    found: dict[str, list[Any]] = {}
    for resource_metrics in data.resource_metrics if data is not None else ():
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                found.setdefault(metric.name, []).extend(metric.data.data_points)
    return found


def values(reader: Any) -> dict[str, dict[tuple[tuple[str, Any], ...], Any]]:
    """Collect now; metric name -> {sorted attribute items: value (or histogram sum)}."""
    result: dict[str, dict[tuple[tuple[str, Any], ...], Any]] = {}
    for name, points in collect(reader).items():
        for point in points:
            key = tuple(sorted((point.attributes or {}).items()))
            value = point.value if hasattr(point, "value") else point.sum
            result.setdefault(name, {})[key] = value
    return result


def latest(points: list[dict[str, Any]]) -> dict[tuple[tuple[str, Any], ...], dict[str, Any]]:
    """Of the collector's data points, the most recent per attribute set."""
    found: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
    for point in sorted(points, key=lambda point: point["time"]):
        found[tuple(sorted(point["attributes"].items()))] = point
    return found
