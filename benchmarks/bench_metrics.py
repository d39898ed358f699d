"""Metrics: a counter's ``add`` through pynector's meter against OpenTelemetry's own.

The floor is the same ``with nullcontext()`` loop as for spans, so every
no-op target in ``docs/benchmarks.md`` is on one scale.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY, get_meter

from .bench_spans import loop_with
from .conftest import OPS

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics import MeterProvider
    from pytest_benchmark.fixture import BenchmarkFixture

# Made at import time, before any provider, as a library does.
counter = get_meter("bench.metrics").create_counter("bench.requests")


def loop_adding(instrument: Any, ops: int = OPS) -> Callable[[], None]:
    """``instrument.add(1, {"route": "/"})``, *ops* times."""

    def run() -> None:
        for _ in range(ops):
            instrument.add(1, {"route": "/"})

    return run


@pytest.mark.benchmark(group="metric-noop")
def test_floor_nullcontext(benchmark: BenchmarkFixture) -> None:
    benchmark.extra_info.update(contender="with nullcontext()", ops=OPS)
    benchmark(loop_with(lambda name: nullcontext()))


@pytest.mark.benchmark(group="metric-noop")
def test_pynector_counter_nothing_installed(benchmark: BenchmarkFixture) -> None:
    if HAS_OPENTELEMETRY:
        pytest.skip("measured in the environment without OpenTelemetry")
    benchmark.extra_info.update(contender="pynector (nothing installed)", ops=OPS)
    benchmark(loop_adding(counter))


@pytest.mark.benchmark(group="metric-noop")
def test_pynector_counter_without_provider(
    benchmark: BenchmarkFixture, no_meter_provider: None
) -> None:
    benchmark.extra_info.update(contender="pynector (OTel installed, no provider)", ops=OPS)
    benchmark(loop_adding(counter))


@pytest.mark.benchmark(group="metric-noop")
def test_otel_proxy_counter(benchmark: BenchmarkFixture, no_meter_provider: None) -> None:
    from opentelemetry import metrics

    otel_counter = metrics.get_meter("bench").create_counter("bench.requests")
    benchmark.extra_info.update(contender="OpenTelemetry API, no provider", ops=OPS)
    benchmark(loop_adding(otel_counter))


@pytest.mark.benchmark(group="metric-sdk")
def test_otel_sdk_counter(benchmark: BenchmarkFixture, sdk_meter_provider: MeterProvider) -> None:
    otel_counter = sdk_meter_provider.get_meter("bench").create_counter("bench.requests")
    benchmark.extra_info.update(contender="OpenTelemetry SDK directly", ops=OPS)
    benchmark(loop_adding(otel_counter))


@pytest.mark.benchmark(group="metric-sdk")
def test_pynector_sdk_counter(
    benchmark: BenchmarkFixture, sdk_meter_provider: MeterProvider
) -> None:
    benchmark.extra_info.update(contender="pynector meter, same provider", ops=OPS)
    benchmark(loop_adding(counter))
