"""``pytest --doctest-modules src``: every example in the package runs hermetic.

Not part of the distribution (only ``src/pynector`` is packaged).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pynector.telemetry._dependencies import is_importable
from support.hermetic import hermetic_state


@pytest.fixture(autouse=True)
def hermetic_telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with hermetic_state(monkeypatch):
        yield


# Modules whose examples show the configured behaviour (they call
# configure_telemetry or structlog) or that import the OpenTelemetry SDK at
# the top: their examples run in the full configuration only.
_NEED_OBSERVABILITY_EXTRA = [
    "pynector/telemetry/config.py",
    "pynector/telemetry/exporters.py",
    "pynector/telemetry/processors.py",
    "pynector/telemetry/_export/delivery.py",
    "pynector/telemetry/_export/metric_delivery.py",
    "pynector/telemetry/_export/metric_redaction.py",
    "pynector/telemetry/_export/span_copy.py",
    "pynector/telemetry/_export/span_delivery.py",
    "pynector/telemetry/_export/log_delivery.py",
    "pynector/telemetry/_export/otlp_exporters.py",
    "pynector/telemetry/_export/logger_provider.py",
    "pynector/telemetry/_export/own_log_processors.py",
    "pynector/telemetry/_export/guarded_span_processor.py",
    "pynector/telemetry/_logs/export_handler.py",
    "pynector/telemetry/_export/span_redaction.py",
    "pynector/telemetry/_export/span_sanitising.py",
    "pynector/telemetry/_export/request_packing.py",
    "pynector/telemetry/_export/console_view.py",
    "pynector/telemetry/testing/_hub.py",
    "pynector/telemetry/_logs/stdlib_bridge.py",
]
collect_ignore = [] if is_importable("opentelemetry.sdk.trace") else _NEED_OBSERVABILITY_EXTRA
