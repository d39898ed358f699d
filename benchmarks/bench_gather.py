"""traced_gather over 100 trivial coroutines against asyncio.gather (plain and hand-traced)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import get_telemetry
from pynector.telemetry.context import traced_gather

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from pytest_benchmark.fixture import BenchmarkFixture

tracer, _ = get_telemetry("bench.gather")
COROUTINES = 100


async def trivial(i: int) -> int:
    return i


def run_gather(
    make: Callable[[], Awaitable[object]],
) -> tuple[Callable[[], None], asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()

    def run() -> None:
        loop.run_until_complete(make())

    return run, loop


@pytest.mark.benchmark(group="gather-noop")
def test_asyncio_gather(benchmark: BenchmarkFixture) -> None:
    async def plain() -> list[int]:
        return await asyncio.gather(*(trivial(i) for i in range(COROUTINES)))

    run, loop = run_gather(plain)
    benchmark.extra_info.update(contender="asyncio.gather", ops=1)
    benchmark(run)
    loop.close()


@pytest.mark.benchmark(group="gather-noop")
def test_traced_gather_noop(benchmark: BenchmarkFixture) -> None:
    run, loop = run_gather(
        lambda: traced_gather(tracer, [trivial(i) for i in range(COROUTINES)], "g")
    )
    benchmark.extra_info.update(contender="pynector traced_gather (tracing off)", ops=1)
    benchmark(run)
    loop.close()


@pytest.mark.benchmark(group="gather-sdk")
def test_hand_written_span_per_coroutine(
    benchmark: BenchmarkFixture, sdk_provider: TracerProvider
) -> None:
    otel_tracer = sdk_provider.get_tracer("bench")

    async def traced(i: int) -> int:
        with otel_tracer.start_as_current_span("child"):
            return await trivial(i)

    async def gather() -> list[int]:
        with otel_tracer.start_as_current_span("gather"):
            return await asyncio.gather(*(traced(i) for i in range(COROUTINES)))

    run, loop = run_gather(gather)
    benchmark.extra_info.update(contender="asyncio.gather + one SDK span each", ops=1)
    benchmark(run)
    loop.close()


@pytest.mark.benchmark(group="gather-sdk")
def test_traced_gather_sdk_child_spans(
    benchmark: BenchmarkFixture, sdk_provider: TracerProvider
) -> None:
    run, loop = run_gather(
        lambda: traced_gather(
            tracer, [trivial(i) for i in range(COROUTINES)], "g", child_spans=True
        )
    )
    benchmark.extra_info.update(contender="pynector traced_gather(child_spans=True)", ops=1)
    benchmark(run)
    loop.close()


@pytest.mark.benchmark(group="gather-sdk-one-span")
def test_hand_written_span_around_gather(
    benchmark: BenchmarkFixture, sdk_provider: TracerProvider
) -> None:
    otel_tracer = sdk_provider.get_tracer("bench")

    async def gather() -> list[int]:
        with otel_tracer.start_as_current_span("gather"):
            return await asyncio.gather(*(trivial(i) for i in range(COROUTINES)))

    run, loop = run_gather(gather)
    benchmark.extra_info.update(contender="asyncio.gather in one SDK span", ops=1)
    benchmark(run)
    loop.close()


@pytest.mark.benchmark(group="gather-sdk-one-span")
def test_traced_gather_sdk(benchmark: BenchmarkFixture, sdk_provider: TracerProvider) -> None:
    run, loop = run_gather(
        lambda: traced_gather(tracer, [trivial(i) for i in range(COROUTINES)], "g")
    )
    benchmark.extra_info.update(contender="pynector traced_gather", ops=1)
    benchmark(run)
    loop.close()
