"""Where facade log calls go: structlog when the application configured it, else stdlib.

"Else stdlib" holds with structlog installed but unconfigured and without
structlog alike, so those tests run in both configurations.
"""

from __future__ import annotations

import io
import json
import logging

import pytest

from pynector.telemetry import get_telemetry
from pynector.telemetry.logging import NoOpLogger
from support.processes import run_python
from support.records import field

_, log = get_telemetry("tests.routing")


@pytest.mark.requires_structlog
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


@pytest.mark.requires_structlog
def test_logger_property_is_structlogs() -> None:
    import structlog

    assert not isinstance(log.logger, NoOpLogger)
    assert log.logger is log.logger
    assert isinstance(log.logger, structlog.typing.BindableLogger)


@pytest.mark.requires_structlog
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


def test_disabled_calls_follow_later_level_changes(caplog: pytest.LogCaptureFixture) -> None:
    # The facade drops a call on the spot only while the stdlib logger's own
    # cache says the level is off; every way of changing levels clears it.
    caplog.set_level(logging.DEBUG, logger="tests.routing")  # restored afterwards
    logging.getLogger("tests.routing").setLevel(logging.WARNING)
    log.info("dropped while at WARNING")
    logging.getLogger("tests.routing").setLevel(logging.INFO)
    log.info("kept at INFO")
    logging.getLogger("tests").setLevel(logging.DEBUG)  # a parent changes: no effect here
    log.debug("dropped: the logger's own level is INFO")
    logging.getLogger("tests.routing").setLevel(logging.NOTSET)  # now the parent decides
    log.debug("kept through the parent")
    logging.disable(logging.CRITICAL)
    try:
        log.error("dropped while logging is disabled")
    finally:
        logging.disable(logging.NOTSET)
    log.error("kept again")
    logging.getLogger("tests").setLevel(logging.NOTSET)
    assert [r.getMessage() for r in caplog.records] == [
        "kept at INFO",
        "kept through the parent",
        "kept again",
    ]


def test_a_logger_class_with_its_own_level_check_decides_every_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Its isEnabledFor may say yes where the stdlib cache it also fills says no.
    class LoudOnDemand(logging.Logger):
        loud = False

        def isEnabledFor(self, level: int) -> bool:
            return self.loud or super().isEnabledFor(level)

    manager = logging.Logger.manager
    previous = manager.loggerClass
    manager.setLoggerClass(LoudOnDemand)
    try:
        _, custom = get_telemetry("tests.routing.custom_class")
        caplog.set_level(logging.DEBUG)  # the capturing handler takes everything
        logging.getLogger("tests.routing.custom_class").setLevel(logging.WARNING)
        custom.info("dropped")
        LoudOnDemand.loud = True
        custom.info("kept")
    finally:
        manager.loggerClass = previous
    assert [r.getMessage() for r in caplog.records] == ["kept"]


@pytest.mark.requires_structlog
def test_structlog_configured_after_a_dropped_call_gets_the_next_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import structlog

    caplog.set_level(logging.WARNING, logger="tests.routing")
    log.info("dropped: stdlib at WARNING, structlog unconfigured")
    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    log.info("to structlog")
    structlog.reset_defaults()
    log.info("dropped again")
    assert [json.loads(line)["event"] for line in out.getvalue().splitlines()] == ["to structlog"]
    assert caplog.records == []


@pytest.mark.requires_structlog
def test_structlog_imported_after_the_first_calls_is_noticed() -> None:
    result = run_python(
        """
        import sys
        from pynector.telemetry import get_telemetry
        _, log = get_telemetry("somelib")
        log.info("dropped: nothing configured")
        assert "structlog" not in sys.modules
        import structlog
        log.info("dropped: structlog imported, not configured")
        structlog.configure(processors=[structlog.processors.KeyValueRenderer(key_order=["event"])])
        log.info("printed")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["event='printed' logger='somelib'"]
