"""@traced on functions, coroutines, generators and async generators."""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import traced
from support.spans import assert_child_of, by_name

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@traced
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@traced("custom-name", attributes={"component": "math"}, record_args=True)
async def scaled(value: int, factor: int = 2, *, payload: object = None) -> int:
    await asyncio.sleep(0)
    return value * factor


@traced
def countdown(n: int) -> Generator[int, str | None, str]:
    while n:
        received = yield n
        if received == "skip":
            n -= 1
        n -= 1
    return "done"


@traced
async def ticker(n: int) -> AsyncGenerator[int, None]:
    for i in range(n):
        await asyncio.sleep(0)
        yield i


@traced
def fails() -> None:
    raise KeyError("missing")


def test_metadata_is_preserved() -> None:
    assert add.__name__ == "add"
    assert add.__doc__ == "Add two numbers."
    # functools.wraps sets __wrapped__; the declared type (add's own) does not have it.
    assert add.__wrapped__(1, 2) == 3  # type: ignore[attr-defined]
    assert inspect.iscoroutinefunction(scaled)
    assert inspect.isgeneratorfunction(countdown)
    assert inspect.isasyncgenfunction(ticker)
    assert not inspect.iscoroutinefunction(add)


async def test_no_op_without_provider_still_works() -> None:
    assert add(1, 2) == 3
    assert await scaled(3) == 6
    assert list(countdown(3)) == [3, 2, 1]
    assert [i async for i in ticker(3)] == [0, 1, 2]
    with pytest.raises(KeyError):
        fails()


@pytest.mark.requires_otel
def test_function_span_and_failure(span_exporter: InMemorySpanExporter) -> None:
    from opentelemetry.trace import StatusCode

    assert add(2, 3) == 5
    with pytest.raises(KeyError, match="missing") as caught:
        fails()
    ok, failed = span_exporter.get_finished_spans()
    assert ok.name == f"{__name__}.add"
    assert ok.attributes is not None
    assert ok.attributes["code.function"] == "add"
    assert failed.status.status_code is StatusCode.ERROR
    assert caught.type is KeyError  # re-raised unchanged


@pytest.mark.requires_otel
async def test_coroutine_with_name_attributes_and_args(span_exporter: InMemorySpanExporter) -> None:
    assert await scaled(4, payload={"k": 1}) == 8
    (span,) = span_exporter.get_finished_spans()
    assert span.name == "custom-name"
    assert span.attributes is not None
    assert span.attributes["component"] == "math"
    assert span.attributes["code.args.value"] == 4
    assert span.attributes["code.args.payload"] == '{"k": 1}'
    assert "code.args.factor" not in span.attributes  # only what the caller passed


@pytest.mark.requires_otel
def test_generator_span_covers_iteration_and_children(span_exporter: InMemorySpanExporter) -> None:
    from opentelemetry import trace

    tracer = trace.get_tracer("t")

    @traced
    def produce() -> Iterator[int]:
        for i in range(3):
            with tracer.start_as_current_span(f"item-{i}"):
                pass
            yield i

    with tracer.start_as_current_span("consumer") as consumer:
        for _ in produce():
            # the consumer's context is its own while it runs
            assert trace.get_current_span() is consumer
    spans = by_name(span_exporter.get_finished_spans())
    generator_span = spans[
        f"{__name__}.test_generator_span_covers_iteration_and_children.<locals>.produce"
    ]
    for i in range(3):
        assert_child_of(spans[f"item-{i}"], generator_span)
    assert_child_of(generator_span, spans["consumer"])
    assert generator_span.end_time >= spans["item-2"].end_time


@pytest.mark.requires_otel
def test_generator_send_throw_and_return_value(span_exporter: InMemorySpanExporter) -> None:
    gen = countdown(5)
    assert next(gen) == 5
    assert gen.send("skip") == 3
    with pytest.raises(ValueError, match="stop"):
        gen.throw(ValueError("stop"))
    (span,) = span_exporter.get_finished_spans()
    assert span.status.status_code.name == "ERROR"

    def drive() -> Generator[int, str | None, str]:
        return (yield from countdown(2))

    assert list(drive()) == [2, 1]


@pytest.mark.requires_otel
def test_abandoned_generator_ends_span_without_detach_errors(
    span_exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    gen = countdown(10)
    next(gen)
    next(gen)
    del gen
    gc.collect()
    (span,) = span_exporter.get_finished_spans()
    assert span.end_time is not None
    assert not [r for r in caplog.records if "detach" in r.getMessage()]


@pytest.mark.requires_otel
async def test_async_generator_span_and_abandonment(
    span_exporter: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    assert [i async for i in ticker(3)] == [0, 1, 2]
    agen = ticker(10)
    assert await agen.__anext__() == 0
    await agen.aclose()
    spans = span_exporter.get_finished_spans()
    assert len(spans) == 2
    assert all(span.end_time for span in spans)
    assert not [r for r in caplog.records if "detach" in r.getMessage()]


@pytest.mark.requires_otel
async def test_async_generator_failure_is_recorded(span_exporter: InMemorySpanExporter) -> None:
    @traced
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise RuntimeError("mid-stream")

    with pytest.raises(RuntimeError, match="mid-stream"):
        async for _ in broken():
            pass
    (span,) = span_exporter.get_finished_spans()
    assert span.status.status_code.name == "ERROR"
    assert [e.name for e in span.events] == ["exception"]
