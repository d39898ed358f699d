"""Shared test set-up: hermetic environment, global state reset, dependency markers.

The suite runs twice, with every optional package installed and with none
(see the Makefile).  Tests that need a package are marked
``requires_otel`` / ``requires_structlog`` and are skipped where it is
absent; every other test runs in both configurations.

The seed test plan's files (``tests/telemetry/test_{config,context,facade,
init,integration,logging,tracing}.py``) are kept as the seed wrote them,
except for the adaptations its README lists; the isolation that
``test_init.py`` needs lives here, in :func:`hermetic_telemetry`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import pynector.telemetry
from pynector.telemetry._dependencies import ANYIO, is_importable
from support.hermetic import hermetic_state

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from support.collector import Collector

HAS_OPENTELEMETRY_SDK = is_importable("opentelemetry.sdk.trace")
HAS_OPENTELEMETRY = pynector.telemetry.HAS_OPENTELEMETRY
HAS_STRUCTLOG = pynector.telemetry.HAS_STRUCTLOG

_MISSING = {
    "requires_otel": None
    if HAS_OPENTELEMETRY_SDK
    else "needs the OpenTelemetry SDK (not installed in this configuration)",
    "requires_structlog": None
    if HAS_STRUCTLOG
    else "needs structlog (not installed in this configuration)",
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, reason in _MISSING.items():
        if reason is not None and item.get_closest_marker(marker) is not None:
            pytest.skip(reason)


def pytest_report_header() -> str:
    return (
        f"pynector test configuration: {os.environ.get('PYNECTOR_TEST_CONFIG', 'unnamed')} "
        f"(opentelemetry-sdk={HAS_OPENTELEMETRY_SDK}, "
        f"structlog={HAS_STRUCTLOG}, anyio={is_importable(ANYIO)})"
    )


@pytest.fixture(autouse=True)
def hermetic_telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no OTEL_* variables, no provider, structlog unconfigured,
    the default redaction and the standard log record factory (see ``support.hermetic``)."""
    with hermetic_state(monkeypatch):
        yield


@pytest.fixture
def span_exporter() -> InMemorySpanExporter:
    """A real SDK tracer provider, set globally, exporting into memory.

    Yields the ``InMemorySpanExporter``; ``get_finished_spans()`` returns the
    spans in the order they ended.
    """
    if not HAS_OPENTELEMETRY_SDK:
        pytest.skip("needs the OpenTelemetry SDK")
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # hermetic_telemetry resets it afterwards
    return exporter


@pytest.fixture
def metric_reader() -> object:
    """A real SDK meter provider, set globally, read on demand.

    Yields the ``InMemoryMetricReader``; ``support.metrics.values(reader)``
    collects and returns what was recorded.
    """
    if not HAS_OPENTELEMETRY_SDK:
        pytest.skip("needs the OpenTelemetry SDK")
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    # hermetic_telemetry shuts it down and unsets it afterwards
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader], shutdown_on_exit=False))
    return reader


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    """A running rotel OTLP collector on free 127.0.0.1 ports; stopped afterwards."""
    if not is_importable("rotel"):
        pytest.skip("needs the rotel collector (installed in the full configuration)")
    from support.collector import Collector

    running = Collector(tmp_path).start()
    yield running
    running.stop()


# Downstream projects and helper apps that the tests run in their own processes.
collect_ignore = ["data"]
