"""Draw captured span and log dicts with the console exporter's renderer.

Used for assertion messages and :meth:`TelemetryCapture.format_tree`, so a
failing test shows the same tree a developer sees on the console.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from .._export.console import ExceptionText, LogLine, SpanLine, render_log_lines, render_trace

__all__ = ["draw"]


def _line(span: dict[str, Any], seq: int) -> SpanLine:
    exceptions = [
        ExceptionText(
            str(event["attributes"].get("exception.type", "")),
            str(event["attributes"].get("exception.message", "")),
            str(event["attributes"].get("exception.stacktrace", "")),
        )
        for event in span["events"]
        if event["name"] == "exception"
    ]
    events = [
        LogLine(event["timestamp"] or 0, "event", event["name"], event["attributes"], seq=seq)
        for event in span["events"]
        if event["name"] != "exception"
    ]
    return SpanLine(
        span["name"],
        span["start"] or 0,
        span["end"],
        span["status"],
        span["status_description"],
        span["attributes"],
        exceptions,
        logs=events,
        seq=seq,
    )


def draw(spans: Sequence[dict[str, Any]], logs: Sequence[dict[str, Any]], timezone: tzinfo) -> str:
    """Every captured trace as a tree; logs outside any captured span listed after."""
    lines: dict[str | None, SpanLine] = {}
    roots: dict[str, list[SpanLine]] = {}
    for seq, span in enumerate(spans):
        lines[span["span_id"]] = _line(span, seq)
    for span in spans:
        line = lines[span["span_id"]]
        parent = lines.get(span["parent_id"])
        if parent is not None:
            parent.children.append(line)
            continue
        if span["parent_id"] is not None:
            line.note = f"parent {span['parent_id']}"
        roots.setdefault(span["trace_id"], []).append(line)
    orphans = []
    for seq, log in enumerate(logs, start=len(spans)):
        log_line = LogLine(log["timestamp"], log["level"], log["event"], log["fields"], seq=seq)
        if log["exception"]:
            kind, _, message = log["exception"].partition(": ")
            log_line.exception = ExceptionText(kind, message)
        owner = lines.get(log["span_id"])
        if owner is None:
            orphans.append(log_line)
        else:
            owner.logs.append(log_line)
    text = "".join(
        render_trace(trace_id, trace_roots, timezone=timezone)
        for trace_id, trace_roots in roots.items()
    )
    if orphans:
        text += "--- logs outside any captured span ---\n"
        text += render_log_lines(orphans, timezone=timezone)
    return text
