"""Spans: pynector's facade against a bare ``with``, OpenTelemetry and logfire-api."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import get_telemetry

from .conftest import OPS, needs

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from pytest_benchmark.fixture import BenchmarkFixture

tracer, _ = get_telemetry("bench.spans")


def loop_with(
    factory: Callable[[str], AbstractContextManager[object]], ops: int = OPS
) -> Callable[[], None]:
    """Open and close *ops* spans (or context managers) named "x"."""

    def run() -> None:
        for _ in range(ops):
            with factory("x"):
                pass

    return run


@pytest.mark.benchmark(group="span-noop")
def test_floor_nullcontext(benchmark: BenchmarkFixture) -> None:
    benchmark.extra_info.update(contender="with nullcontext()", ops=OPS)
    benchmark(loop_with(lambda name: nullcontext()))


@pytest.mark.benchmark(group="span-noop")
def test_floor_cached_object(benchmark: BenchmarkFixture) -> None:
    cached = nullcontext()
    benchmark.extra_info.update(contender="with <prebuilt object>", ops=OPS)
    benchmark(loop_with(lambda name: cached))


@pytest.mark.benchmark(group="span-noop")
def test_pynector_noop_span(benchmark: BenchmarkFixture) -> None:
    from pynector.telemetry import HAS_OPENTELEMETRY

    if HAS_OPENTELEMETRY:
        pytest.skip("measured in the environment without OpenTelemetry")
    benchmark.extra_info.update(contender="pynector (nothing installed)", ops=OPS)
    benchmark(loop_with(tracer.start_as_current_span))


@pytest.mark.benchmark(group="span-noop")
def test_pynector_span_otel_without_provider(
    benchmark: BenchmarkFixture, no_provider: None
) -> None:
    benchmark.extra_info.update(contender="pynector (OTel installed, no provider)", ops=OPS)
    benchmark(loop_with(tracer.start_as_current_span))


@pytest.mark.benchmark(group="span-noop")
def test_otel_api_without_sdk(benchmark: BenchmarkFixture, no_provider: None) -> None:
    from opentelemetry import trace

    otel_tracer = trace.get_tracer("bench")
    benchmark.extra_info.update(contender="OpenTelemetry API, no provider", ops=OPS)
    benchmark(loop_with(otel_tracer.start_as_current_span))


@pytest.mark.benchmark(group="span-noop")
def test_logfire_api_shim(benchmark: BenchmarkFixture) -> None:
    needs("logfire_api")
    import logfire_api

    benchmark.extra_info.update(contender="logfire-api shim", ops=OPS)
    benchmark(loop_with(logfire_api.span))


SDK_OPS = OPS // 10


@pytest.mark.benchmark(group="span-sdk")
def test_otel_sdk_direct(benchmark: BenchmarkFixture, sdk_provider: TracerProvider) -> None:
    otel_tracer = sdk_provider.get_tracer("bench")
    benchmark.extra_info.update(contender="OpenTelemetry SDK directly", ops=SDK_OPS)
    benchmark(loop_with(otel_tracer.start_as_current_span, SDK_OPS))


@pytest.mark.benchmark(group="span-sdk")
def test_pynector_sdk_span(benchmark: BenchmarkFixture, sdk_provider: TracerProvider) -> None:
    benchmark.extra_info.update(contender="pynector facade, same provider", ops=SDK_OPS)
    benchmark(loop_with(tracer.start_as_current_span, SDK_OPS))
