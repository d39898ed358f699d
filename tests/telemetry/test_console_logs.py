"""Log lines made inside a span are drawn under it by the ``console`` exporter.

Through the real pipelines: ``configure_telemetry``'s structlog pipeline
(what pynector's ``log.info`` goes through) and standard library records.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from pynector.telemetry import configure_telemetry, get_telemetry
from support.console import Row, parse_tree
from support.logs import without_root_handlers

pytestmark = [pytest.mark.requires_otel, pytest.mark.requires_structlog]

tracer, log = get_telemetry("tests.console_logs")


@pytest.fixture
def stdlib_output() -> Iterator[io.StringIO]:
    """An application's own handler on the ``app`` logger, at INFO."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def tree_and_json(stderr: str) -> tuple[list[Row], list[dict[str, object]]]:
    json_lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    tree = "\n".join(line for line in stderr.splitlines() if not line.startswith("{"))
    return parse_tree(tree), json_lines


def test_structlog_events_in_a_span_are_drawn_under_it_and_not_written_twice(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():  # so that pynector adds its stderr handler
        configure_telemetry(trace_exporters=["console"])
        log.info("before")
        with tracer.start_as_current_span("outer"):
            log.info("inside", k=1)
            with tracer.start_as_current_span("inner"):
                log.warning("deeper", k=2)
        log.info("after")
    rows, json_lines = tree_and_json(capsys.readouterr().err)
    assert [entry["event"] for entry in json_lines] == ["before", "after"]
    assert [(row.kind, row.depth, row.status, row.text) for row in rows[1:]] == [
        ("span", 0, "", "outer"),
        ("log", 1, "INFO", "inside  k=1"),
        ("span", 1, "", "inner"),
        ("log", 2, "WARN", "deeper  k=2"),
    ]


def test_stdlib_records_in_a_span_are_drawn_and_still_reach_the_application(
    capsys: pytest.CaptureFixture[str], stdlib_output: io.StringIO
) -> None:
    configure_telemetry(trace_exporters=["console"])
    with tracer.start_as_current_span("job"):
        logging.getLogger("app.db").info("query took %d ms", 12)
        logging.getLogger("app.db").debug("below its logger's level: not drawn")
    rows = parse_tree(capsys.readouterr().err)
    assert [(row.kind, row.depth, row.status, row.text) for row in rows[1:]] == [
        ("span", 0, "", "job"),
        ("log", 1, "INFO", "query took 12 ms"),
    ]
    assert stdlib_output.getvalue() == "query took 12 ms\n"


def test_an_exception_logged_in_a_span_shows_its_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_telemetry(trace_exporters=["console"])
    stock: dict[str, int] = {}
    with tracer.start_as_current_span("job"):
        try:
            stock["missing"]
        except KeyError:
            log.exception("lookup failed", key="missing")
    rows = parse_tree(capsys.readouterr().err)
    assert [(row.kind, row.status, row.text) for row in rows[2:4]] == [
        ("log", "ERROR", "lookup failed  key='missing'"),
        ("detail", "", "KeyError: 'missing'"),
    ]
    assert rows[4].text.startswith('File "')
    assert rows[4].text.endswith("in " + _this_test())
    assert rows[5].text == 'stock["missing"]'


def _this_test() -> str:
    return "test_an_exception_logged_in_a_span_shows_its_traceback"


def test_log_fields_in_the_tree_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_telemetry(trace_exporters=["console"])
    with tracer.start_as_current_span("login", {"user": "ann"}):
        log.info("logged in", password="hunter2", user="ann")
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert "logged in  password='[REDACTED]' user='ann'" in err


def test_without_the_console_tree_log_lines_are_written_as_usual(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():  # so that pynector adds its stderr handler
        configure_telemetry(trace_exporters=["console-lines"])
        with tracer.start_as_current_span("outer"):
            log.info("inside")
    err = capsys.readouterr().err
    inside = next(json.loads(line) for line in err.splitlines() if line.startswith("{"))
    assert inside["event"] == "inside"
    assert "span 'outer'" in err
