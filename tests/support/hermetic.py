"""Process-wide telemetry state reset around every test and every doctest.

Used by ``tests/conftest.py`` and ``src/conftest.py`` (``pytest
--doctest-modules src``), so that examples and tests alike start with no
``OTEL_*`` variables, no tracer or meter provider, structlog unconfigured,
the default redaction at pynector's boundary, the standard log record
factory, the root logger's level as it was and no handler of pynector's on
it (its log export's shut down), and a fresh record of which warnings were
shown.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import pynector.telemetry
from pynector.telemetry._logs.console_logs import set_console_sink
from pynector.telemetry._logs.stdlib_pipeline import StderrHandler
from pynector.telemetry._secret_text import forget_literals
from pynector.telemetry._warnings import reset_warnings
from pynector.telemetry.redaction import reset_redaction

__all__ = ["hermetic_state", "reset_opentelemetry"]


def reset_opentelemetry() -> None:
    """Undo the global tracer and meter providers so the next test starts unconfigured.

    OpenTelemetry allows setting each provider once per process; tests need
    it once per test, so this reaches into the API's (private) globals the
    way OpenTelemetry's own test utilities do.
    """
    if not pynector.telemetry.HAS_OPENTELEMETRY:
        return
    from opentelemetry import trace
    from opentelemetry.metrics import _internal as metrics
    from opentelemetry.util._once import Once

    for provider in (trace._TRACER_PROVIDER, metrics._METER_PROVIDER):
        shutdown = getattr(provider, "shutdown", None)
        if callable(shutdown):
            shutdown()
    trace._TRACER_PROVIDER = None
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    metrics._METER_PROVIDER = None
    metrics._METER_PROVIDER_SET_ONCE = Once()
    metrics._PROXY_METER_PROVIDER = metrics._ProxyMeterProvider()


@contextmanager
def hermetic_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the block with telemetry's process-wide state reset before and after.

    ``OTEL_TRACES_EXPORTER=none`` keeps code that configures telemetry
    without naming an exporter from exporting to a collector that is not
    there; tests about exporters set their own.
    """
    for name in list(os.environ):
        if name.startswith(("OTEL_", "PYNECTOR_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    reset_warnings()
    reset_opentelemetry()
    record_factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    root_level = root.level
    logger_class = logging.Logger.manager.loggerClass
    # The seed's test_init.py reloads the package with optional modules
    # blocked; its namespace (HAS_* flags...) is put back afterwards.
    package_namespace = dict(vars(pynector.telemetry))
    try:
        yield
    finally:
        vars(pynector.telemetry).clear()
        vars(pynector.telemetry).update(package_namespace)
        logging.setLogRecordFactory(record_factory)
        # Only ours: pytest adds and removes its own capture handlers per phase.
        for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
            root.removeHandler(handler)
        export_handler = sys.modules.get("pynector.telemetry._logs.export_handler")
        if export_handler is not None:
            export_handler.uninstall_log_export()
        root.setLevel(root_level)
        logging.Logger.manager.loggerClass = logger_class
        reset_redaction()
        forget_literals()
        set_console_sink(None)
        reset_opentelemetry()
        if pynector.telemetry.HAS_STRUCTLOG:
            import structlog

            structlog.reset_defaults()
        reset_warnings()
