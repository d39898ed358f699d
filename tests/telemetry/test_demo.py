"""``python -m pynector.telemetry demo`` shows spans and correlated logs."""

from __future__ import annotations

import json
import re
import subprocess

from pynector.telemetry import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from support.processes import run_python

SPAN_LINE = re.compile(
    r"^span '(?P<name>[^']+)' trace_id=(?P<trace>\w{32}) span_id=(?P<span>\w{16})"
)


def run_demo() -> subprocess.CompletedProcess[str]:
    return run_python(
        "import sys; from pynector.telemetry.__main__ import main; sys.exit(main(['demo']))",
        env={"PYNECTOR_LOG_FORMAT": "json"},
    )


def test_demo_runs_and_correlates() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stderr
    if not (HAS_OPENTELEMETRY and HAS_STRUCTLOG):
        assert result.stdout == ""
        assert "not installed" in result.stderr
        return
    lines = result.stdout.splitlines()
    spans = [match for match in map(SPAN_LINE.match, lines) if match]
    assert len(spans) == len(lines), result.stdout  # every line is a span
    names = [match["name"] for match in spans]
    assert names[-1] == "order"
    assert {"lookup-all", "refresh-caches", "inventory.refresh", "inventory.lookup"} <= set(names)
    assert len({match["trace"] for match in spans}) == 1
    span_ids = {match["span"] for match in spans}
    logs = [json.loads(line) for line in result.stderr.splitlines()]
    assert [entry["event"] for entry in logs].count("looked up") == 3
    assert all(entry["span_id"] in span_ids for entry in logs)
    failed = [line for line in result.stdout.splitlines() if "status=ERROR" in line]
    assert len(failed) == 1
    assert "OutOfCatalogue: durian" in failed[0]
