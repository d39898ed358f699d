"""Span, metrics and logs processor loaded by the rotel collector in the delivery tests.

It runs inside the collector's embedded Python (stdlib only).  Each batch
becomes JSON lines appended in one write: spans to $PYNECTOR_COLLECTOR_OUT,
metric data points to $PYNECTOR_COLLECTOR_METRICS_OUT, log records to
$PYNECTOR_COLLECTOR_LOGS_OUT.  An exception here would kill the collector,
so everything is caught.  The
collector's objects are untyped (rotel ships no stubs), hence ``Any``.
"""

from __future__ import annotations

import json
import os
from typing import Any

OUT = os.environ["PYNECTOR_COLLECTOR_OUT"]
METRICS_OUT = os.environ.get("PYNECTOR_COLLECTOR_METRICS_OUT", OUT + ".metrics")
LOGS_OUT = os.environ.get("PYNECTOR_COLLECTOR_LOGS_OUT", OUT + ".logs")

with open(OUT + ".ready", "w") as marker:
    marker.write("ready\n")


def _scalar(any_value: Any) -> object:
    value = any_value.value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    try:  # an array: its items are AnyValues too
        return [_scalar(item) for item in value]
    except (TypeError, AttributeError):
        return repr(value)


def _attributes(attributes: Any) -> dict[str, object]:
    return {kv.key: _scalar(kv.value) for kv in attributes}


def process_spans(resource_spans: Any) -> None:
    try:
        resource = _attributes(resource_spans.resource.attributes)
        rows: list[dict[str, object]] = []
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                parent = span.parent_span_id
                rows.append(
                    {
                        "service": resource.get("service.name"),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": parent.hex() if parent else None,
                        "name": span.name,
                        "attributes": _attributes(span.attributes),
                        "events": [
                            {"name": event.name, "attributes": _attributes(event.attributes)}
                            for event in span.events
                        ],
                        "links": [_attributes(link.attributes) for link in span.links],
                        "status": span.status.message if span.status else None,
                        "resource": resource,
                    }
                )
        data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    except BaseException as error:  # never let the collector die
        data = (json.dumps({"error": repr(error)}) + "\n").encode()
    _append(OUT, data)


def _append(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _number(value: Any) -> object:
    """A data point's or exemplar's value: an indexable one-of (int or double)."""
    try:
        return value[0]
    except (TypeError, IndexError):
        return value


def _exemplars(point: Any) -> list[dict[str, object]]:
    return [
        {
            "trace_id": exemplar.trace_id.hex(),
            "span_id": exemplar.span_id.hex(),
            "value": _number(exemplar.value),
        }
        for exemplar in point.exemplars
    ]


def _point(point: Any, kind: str) -> dict[str, object]:
    row: dict[str, object] = {
        "attributes": _attributes(point.attributes),
        "exemplars": _exemplars(point),
    }
    row["start"], row["time"] = point.start_time_unix_nano, point.time_unix_nano
    if kind == "Histogram":
        row.update(count=point.count, sum=point.sum, min=point.min, max=point.max)
        row.update(buckets=list(point.bucket_counts), bounds=list(point.explicit_bounds))
    elif kind == "ExponentialHistogram":
        row.update(count=point.count, sum=point.sum)
    else:
        row["value"] = _number(point.value)
    return row


def process_metrics(resource_metrics: Any) -> None:
    try:
        resource = _attributes(resource_metrics.resource.attributes)
        rows: list[dict[str, object]] = []
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = type(metric.data).__name__.rpartition("_")[2]
                data = metric.data[0]
                base = {
                    "service": resource.get("service.name"),
                    "scope": scope_metrics.scope.name,
                    "name": metric.name,
                    "unit": metric.unit,
                    "kind": kind,
                    "temporality": str(getattr(data, "aggregation_temporality", "")),
                    "monotonic": getattr(data, "is_monotonic", None),
                }
                for point in data.data_points:
                    rows.append({**base, **_point(point, kind)})
        data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    except BaseException as error:  # never let the collector die
        data = (json.dumps({"error": repr(error)}) + "\n").encode()
    _append(METRICS_OUT, data)


def _value(any_value: Any) -> object:
    """An attribute's value; an array as a list of its values."""
    value = any_value.value
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if type(value).__name__ == "ArrayValue":  # iterates over AnyValues
        return [_scalar(item) for item in value]
    return repr(value)


def process_logs(resource_logs: Any) -> None:
    try:
        resource = _attributes(resource_logs.resource.attributes)
        rows: list[dict[str, object]] = []
        for scope_logs in resource_logs.scope_logs:
            for record in scope_logs.log_records:
                rows.append(
                    {
                        "service": resource.get("service.name"),
                        "scope": scope_logs.scope.name,
                        "body": _scalar(record.body) if record.body is not None else None,
                        "severity_number": int(record.severity_number),
                        "severity_text": record.severity_text,
                        "trace_id": record.trace_id.hex(),
                        "span_id": record.span_id.hex(),
                        "flags": int(getattr(record, "flags", 0) or 0),
                        "attributes": {kv.key: _value(kv.value) for kv in record.attributes},
                    }
                )
        data = "".join(json.dumps(row) + "\n" for row in rows).encode()
    except BaseException as error:  # never let the collector die
        data = (json.dumps({"error": repr(error)}) + "\n").encode()
    _append(LOGS_OUT, data)
