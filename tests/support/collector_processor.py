"""Span processor loaded by the rotel collector in the delivery tests.

It runs inside the collector's embedded Python (stdlib only).  Each batch
becomes JSON lines appended to $PYNECTOR_COLLECTOR_OUT in one write.  An
exception here would kill the collector, so everything is caught.  The
collector's objects are untyped (rotel ships no stubs), hence ``Any``.
"""

from __future__ import annotations

import json
import os
from typing import Any

OUT = os.environ["PYNECTOR_COLLECTOR_OUT"]

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
    fd = os.open(OUT, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
