"""A downstream project whose tests do not use the fixture: nothing may change for it."""

from __future__ import annotations

import logging
import sys

import pytest
from mylib import fetch, tracer


def test_no_autouse_fixture_and_nothing_imported(request: pytest.FixtureRequest) -> None:
    print("fixtures used:", sorted(request.fixturenames))  # compared with and without the plugin
    fetch("https://example.test")
    loaded = [name for name in sys.modules if name.startswith(("opentelemetry", "structlog"))]
    assert loaded in ([], ["opentelemetry"])  # at most the namespace, looked into
    assert not tracer.is_enabled()


def test_logging_is_as_pytest_leaves_it() -> None:
    handlers = {type(handler).__name__ for handler in logging.getLogger().handlers}
    assert handlers <= {"LogCaptureHandler", "_LiveLoggingNullHandler", "_FileHandler"}
