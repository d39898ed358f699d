"""``python -m pynector.telemetry demo`` draws one trace tree with the logs inside it."""

from __future__ import annotations

import subprocess

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY
from support.console import parse_tree
from support.processes import run_python


def run_demo() -> subprocess.CompletedProcess[str]:
    return run_python(
        "import sys; from pynector.telemetry.__main__ import main; sys.exit(main(['demo']))",
        env={"PYNECTOR_LOG_FORMAT": "json"},
    )


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_demo_draws_the_trace_as_a_tree_on_stderr() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # stdout stays the program's
    assert "\x1b[" not in result.stderr  # piped: plain text
    rows = parse_tree(result.stderr)
    assert [row.text for row in rows if row.kind == "header"] == [rows[0].text]
    assert rows[0].text.startswith("--- trace ")
    spans = [row for row in rows if row.kind == "span"]
    assert (spans[0].depth, spans[0].text) == (0, "order  items=3")
    assert sum(row.depth > 0 for row in spans) == len(spans) - 1  # one root
    lookups = [i for i, row in enumerate(rows) if row.text.startswith("inventory.lookup")]
    assert len(lookups) == 4
    gather = rows[lookups[0] - 1]
    assert (gather.depth, gather.text) == (1, "lookup-all  pynector.gather.size=3")
    for index in lookups[:3]:  # each successful lookup has its log line right under it
        assert rows[index].depth == 2
        log = rows[index + 1]
        assert (log.kind, log.status, log.depth) == ("log", "INFO", 3)
        assert log.text.startswith("looked up  item=")


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_demo_failure_shows_exception_and_short_traceback() -> None:
    rows = parse_tree(run_demo().stderr)
    failed = [i for i, row in enumerate(rows) if row.status == "ERROR" and row.kind == "span"]
    assert len(failed) == 1
    index = failed[0]
    assert (rows[index].depth, rows[index].text) == (1, "inventory.lookup  item='durian'")
    exception, location, source = rows[index + 1 : index + 4]
    assert (exception.depth, exception.text) == (2, "OutOfCatalogue: durian")
    assert location.depth == 3
    assert location.text.startswith('File "')
    assert 'pynector/telemetry/_cli/demo.py", line ' in location.text
    assert location.text.endswith(", in lookup")
    assert (source.depth, source.text) == (4, "raise OutOfCatalogue(item)")
    warning = next(row for row in rows if row.text.startswith("item skipped"))
    assert (warning.kind, warning.status, warning.depth) == ("log", "WARN", 1)


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="what the demo says without OpenTelemetry")
def test_demo_without_opentelemetry_says_what_to_install() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "not installed" in result.stderr
