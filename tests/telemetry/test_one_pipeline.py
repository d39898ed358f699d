"""After configure_telemetry, every log record goes through one pipeline.

Library events (the facade), the application's structlog events and
standard library records (httpx, the application's own loggers) get the
same processors (level, timestamp, logger name, fields, trace ids,
redaction) and reach the same handlers: ours on stderr when the
application has none, the application's own otherwise.  Each test runs a
real application in a fresh interpreter, where no test runner has put
handlers on the root logger.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from support.processes import run_python

pytestmark = [pytest.mark.requires_otel, pytest.mark.requires_structlog]

# One record of each kind, inside a span, each with a secret and a plain field.
THREE_KINDS = """
    import logging, structlog
    from opentelemetry import trace
    from pynector.telemetry import get_telemetry

    tracer, log = get_telemetry("somelib")
    with tracer.start_as_current_span("request") as span:
        ids = span.get_span_context()
        print(format(ids.trace_id, "032x"), format(ids.span_id, "016x"))
        log.info("library event", password="p1", rows=3)
        structlog.get_logger("app").warning("structlog event", api_key="p2", user="ann")
        httpx = logging.getLogger("httpx")
        httpx.error("stdlib record %s", "GET", extra={"token": "p3", "status": 500})
        log.debug("library debug")
        httpx.debug("stdlib debug")
"""


def with_three_kinds(setup: str) -> str:
    return textwrap.dedent(setup) + textwrap.dedent(THREE_KINDS)


def run_app(code: str, *, fmt: str = "json", **env: str) -> tuple[list[str], list[str]]:
    result = run_python(
        textwrap.dedent(code),
        env={"PYNECTOR_LOG_FORMAT": fmt, "OTEL_TRACES_EXPORTER": "none", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines(), result.stderr.splitlines()


def test_every_kind_of_record_gets_the_same_processors_and_handler() -> None:
    out, err = run_app(
        with_three_kinds(
            """
        from pynector.telemetry import configure_telemetry
        configure_telemetry(service_name="svc")
        """
        )
    )
    trace_id, span_id = out[0].split()
    lines = [json.loads(line) for line in err]
    for line in lines:
        assert line.pop("timestamp").endswith("Z")
    assert lines == [
        {
            "event": "library event",
            "password": "[REDACTED]",
            "rows": 3,
            "logger": "somelib",
            "level": "info",
            "trace_id": trace_id,
            "span_id": span_id,
        },
        {
            "event": "structlog event",
            "api_key": "[REDACTED]",
            "user": "ann",
            "logger": "app",
            "level": "warning",
            "trace_id": trace_id,
            "span_id": span_id,
        },
        {
            "event": "stdlib record GET",
            "token": "[REDACTED]",
            "status": 500,
            "logger": "httpx",
            "level": "error",
            "trace_id": trace_id,
            "span_id": span_id,
        },
    ]


def test_log_level_applies_to_both_kinds_of_record() -> None:
    _, err = run_app(
        with_three_kinds(
            """
        from pynector.telemetry import configure_telemetry
        configure_telemetry(log_level="DEBUG")
        """
        )
    )
    events = [json.loads(line)["event"] for line in err]
    assert events == [
        "library event",
        "structlog event",
        "stdlib record GET",
        "library debug",
        "stdlib debug",
    ]
    _, err = run_app(
        with_three_kinds(
            """
        from pynector.telemetry import configure_telemetry
        configure_telemetry(log_level="ERROR")
        """
        )
    )
    assert [json.loads(line)["event"] for line in err] == ["stdlib record GET"]


def test_the_applications_handlers_are_kept_and_receive_everything() -> None:
    _, err = run_app(
        with_three_kinds(
            """
        import logging, sys
        logging.basicConfig(stream=sys.stderr, format="app %(levelname)s %(name)s: %(message)s")
        before = list(logging.getLogger().handlers)
        from pynector.telemetry import configure_telemetry
        configure_telemetry()
        configure_telemetry(trace_enabled=False)  # again: still no handler of ours
        assert logging.getLogger().handlers == before, logging.getLogger().handlers
        """
        )
    )
    assert err == [
        "app INFO somelib: library event password='[REDACTED]' rows=3",
        "app WARNING app: structlog event api_key='[REDACTED]' user='ann'",
        "app ERROR httpx: stdlib record GET",
    ]


def test_a_handler_added_later_gets_records_beside_ours() -> None:
    out, err = run_app(
        """
        import logging, sys
        from pynector.telemetry import configure_telemetry, get_telemetry
        configure_telemetry()
        configure_telemetry(trace_enabled=False)  # again: one handler of ours, not two
        app_handler = logging.StreamHandler(sys.stdout)
        app_handler.setFormatter(logging.Formatter("app: %(message)s"))
        logging.getLogger().addHandler(app_handler)
        configure_telemetry(trace_enabled=False)  # never removes the application's handler
        _, log = get_telemetry("somelib")
        log.warning("disk low", free=3)
        logging.getLogger("app").warning("plain")
        print(len(logging.getLogger().handlers))
        """
    )
    assert out == ["app: disk low free=3", "app: plain", "2"]
    assert [json.loads(line)["event"] for line in err] == ["disk low", "plain"]


def test_exceptions_of_both_kinds_carry_their_traceback() -> None:
    code = """
        import logging
        from pynector.telemetry import configure_telemetry, get_telemetry
        configure_telemetry()
        _, log = get_telemetry("somelib")
        try:
            raise KeyError("missing")
        except KeyError:
            log.exception("library failed", key="k")
            logging.getLogger("app").exception("app failed")
        """
    _, err = run_app(code)
    library, app = (json.loads(line) for line in err)
    for line, event in ((library, "library failed"), (app, "app failed")):
        assert line["event"] == event
        assert line["level"] == "error"
        assert line["exception"].startswith("Traceback")
        assert line["exception"].endswith("KeyError: 'missing'")
    _, err = run_app(
        code.replace(
            "configure_telemetry()", "logging.basicConfig()\n" + " " * 8 + "configure_telemetry()"
        )
    )
    # The application's plain formatter prints both tracebacks too.
    assert err.count("KeyError: 'missing'") == 2
    assert err[0] == "ERROR:somelib:library failed key='k'"


def test_console_format_is_the_same_pipeline() -> None:
    _, err = run_app(
        """
        import logging
        from pynector.telemetry import configure_telemetry, get_telemetry
        configure_telemetry()
        _, log = get_telemetry("somelib")
        log.info("hello", user="u1")
        logging.getLogger("app").info("plain", extra={"n": 1})
        """,
        fmt="console",
    )
    assert "[info     ] hello" in err[0]
    assert "user=u1" in err[0]
    assert "[info     ] plain" in err[1]
    assert "n=1" in err[1]


def test_without_structlog_stdlib_records_get_a_handler_and_the_level() -> None:
    _, err = run_app(
        """
        import sys
        sys.modules["structlog"] = None  # as if not installed: OpenTelemetry alone
        import logging
        from pynector.telemetry import configure_telemetry, get_telemetry
        configure_telemetry(log_level="WARNING")
        tracer, log = get_telemetry("somelib")
        log.info("dropped")
        with tracer.start_as_current_span("s"):
            log.warning("kept", secret="s3cret")
        logging.getLogger("app").warning("also kept")
        logging.getLogger("app").info("also dropped")
        """
    )
    assert len(err) == 2
    assert err[0].endswith(" WARNING  somelib kept secret='[REDACTED]'")
    assert err[1].endswith(" WARNING  app also kept")
