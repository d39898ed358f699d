"""Read span trees exported by the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def by_name(spans: Sequence[Any]) -> dict[str, Any]:
    """Index finished spans by name; names must be unique in the test."""
    index = {span.name: span for span in spans}
    assert len(index) == len(spans), f"duplicate span names: {[s.name for s in spans]}"
    return index


def parent_id(span: Any) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def assert_child_of(child: Any, parent: Any) -> None:
    assert child.context.trace_id == parent.context.trace_id, (child.name, parent.name)
    assert parent_id(child) == parent.context.span_id, (child.name, parent.name)
