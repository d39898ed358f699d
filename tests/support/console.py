"""Read what the ``console`` exporter drew back into rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.id_generator import IdGenerator

_TIMED = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}  ")
_MARGIN = 32  # time, duration and status columns (see _export/console.py)


@dataclass
class Row:
    kind: str  # "header", "span", "log" or "detail" (exception and traceback lines)
    depth: int  # nesting level of the name (detail: of the text)
    duration: str
    status: str  # span status or log level, "" when blank
    text: str  # the name (or event) and what follows it


def parse_tree(output: str) -> list[Row]:
    rows = []
    for line in output.splitlines():
        if line.startswith("--- "):
            rows.append(Row("header", 0, "", "", line))
            continue
        if not line.strip():
            continue
        rest = line[_MARGIN:]
        depth = (len(rest) - len(rest.lstrip(" "))) // 2
        if not _TIMED.match(line):
            rows.append(Row("detail", depth, "", "", rest.strip(" ")))
            continue
        duration = line[14:23].strip()
        kind = "span" if duration else "log"
        rows.append(Row(kind, depth, duration, line[25:30].strip(), rest.strip(" ")))
    return rows


def sequential_ids() -> IdGenerator:
    """An OpenTelemetry id generator giving 1, 2, 3... (needs the SDK)."""
    from opentelemetry.sdk.trace.id_generator import IdGenerator

    class SequentialIds(IdGenerator):
        def __init__(self) -> None:
            self.spans = 0
            self.traces = 0

        def generate_span_id(self) -> int:
            self.spans += 1
            return self.spans

        def generate_trace_id(self) -> int:
            self.traces += 1
            return self.traces

    return SequentialIds()
