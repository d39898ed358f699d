"""Where facade log calls go: structlog when the application configured it, else stdlib."""

from __future__ import annotations

import io
import json
import logging

import pytest

from pynector.telemetry import get_telemetry
from pynector.telemetry.logging import NoOpLogger
from support.records import field

pytestmark = pytest.mark.requires_structlog

_, log = get_telemetry("tests.routing")


def test_application_configured_structlog_receives_events(caplog: pytest.LogCaptureFixture) -> None:
    import structlog

    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    caplog.set_level(logging.DEBUG)
    log.info("through structlog", n=1)
    assert json.loads(out.getvalue()) == {
        "n": 1,
        "logger": "tests.routing",
        "event": "through structlog",
        "level": "info",
    }
    assert caplog.records == []  # not also sent to stdlib


def test_unconfigured_structlog_means_stdlib(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO, logger="tests.routing")
    log.info("through stdlib", n=1)
    (record,) = caplog.records
    assert record.name == "tests.routing"
    assert record.getMessage() == "through stdlib n=1"
    assert field(record, "event_fields") == {"n": 1}
    assert record.funcName == "test_unconfigured_structlog_means_stdlib"
    assert capsys.readouterr() == ("", "")  # structlog's default stdout printer unused


def test_logger_property_is_structlogs() -> None:
    import structlog

    assert not isinstance(log.logger, NoOpLogger)
    assert log.logger is log.logger
    assert isinstance(log.logger, structlog.typing.BindableLogger)


def test_reconfiguring_structlog_reaches_existing_facades() -> None:
    import structlog

    first, second = io.StringIO(), io.StringIO()
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(first),
    )
    log.info("one")
    structlog.configure(
        processors=[structlog.processors.KeyValueRenderer(key_order=["event"])],
        logger_factory=structlog.PrintLoggerFactory(second),
    )
    log.info("two")
    assert json.loads(first.getvalue())["event"] == "one"
    assert second.getvalue().startswith("event='two'")
