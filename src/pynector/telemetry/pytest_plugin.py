"""pynector's pytest plugin: the ``telemetry_capture`` fixture.

Registered through the ``pytest11`` entry point, so installing pynector
makes the fixture available to every test suite.  It is inert for a suite
that does not ask for the fixture: loading it imports neither
OpenTelemetry nor structlog, it defines no autouse fixture, and its report
hook only acts on tests that use the fixture.  ``-p no:pynector`` turns it
off entirely.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pluggy import Result

    from .testing import TelemetryCapture

__all__ = ["telemetry_capture"]

_FIXTURE = "telemetry_capture"


@pytest.fixture
def telemetry_capture() -> Iterator[TelemetryCapture]:
    """The spans, logs and metrics made during the test (see :mod:`pynector.telemetry.testing`).

    Set ``telemetry_capture.deterministic = True`` for ids and times that are
    the same on every run.
    """
    from .testing import capture_telemetry

    with capture_telemetry() as capture:
        yield capture


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Result[pytest.TestReport], None]:
    """When a test that captures telemetry fails, show what it captured."""
    outcome = yield
    funcargs = getattr(item, "funcargs", None)
    if call.when != "call" or not funcargs or _FIXTURE not in funcargs:
        return
    report = outcome.get_result()
    if report.failed:
        capture: TelemetryCapture = funcargs[_FIXTURE]
        report.sections.append(("captured telemetry", capture.describe()))
