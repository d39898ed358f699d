"""Span trees made through the facade with the real OpenTelemetry SDK.

Every test exports into memory and checks parent/child links, status and
that nothing leaks into the caller's context afterwards.
"""

from __future__ import annotations

import asyncio
import types
from typing import TYPE_CHECKING
from unittest.mock import patch

import pytest

from pynector.telemetry import get_telemetry
from pynector.telemetry.context import traced_async_operation, traced_gather, traced_task_group
from support.spans import assert_child_of, by_name

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("tests.span_trees")


def current_span_is_invalid() -> bool:
    from opentelemetry import trace

    return not trace.get_current_span().get_span_context().is_valid


def test_facade_made_before_configuration_records_after(
    span_exporter: InMemorySpanExporter,
) -> None:
    # `tracer` above was created at import time, before any provider existed.
    with tracer.start_as_current_span("late", {"k": "v"}) as span:
        assert span.is_recording()
    (finished,) = span_exporter.get_finished_spans()
    assert finished.name == "late"
    assert finished.attributes is not None
    assert finished.attributes["k"] == "v"


def test_no_provider_means_no_op_and_nothing_recorded() -> None:
    from opentelemetry import trace

    from pynector.telemetry.tracing import NoOpSpan

    with tracer.start_as_current_span("nothing") as span:
        assert isinstance(span, NoOpSpan)
    assert not tracer.is_enabled()
    assert trace._TRACER_PROVIDER is None


def test_nested_sync_spans(span_exporter: InMemorySpanExporter) -> None:
    with tracer.start_as_current_span("outer"), tracer.start_as_current_span("inner"):
        pass
    spans = by_name(span_exporter.get_finished_spans())
    assert_child_of(spans["inner"], spans["outer"])
    assert spans["outer"].parent is None
    assert current_span_is_invalid()


async def test_nested_async_spans_across_await(span_exporter: InMemorySpanExporter) -> None:
    async with tracer.start_as_current_async_span("outer"):
        await asyncio.sleep(0)
        async with tracer.start_as_current_async_span("inner"):
            await asyncio.sleep(0)
            with tracer.start_as_current_span("leaf"):
                pass
    spans = by_name(span_exporter.get_finished_spans())
    assert_child_of(spans["inner"], spans["outer"])
    assert_child_of(spans["leaf"], spans["inner"])
    assert current_span_is_invalid()


async def test_start_async_span_is_ended_but_not_current(
    span_exporter: InMemorySpanExporter,
) -> None:
    async with await tracer.start_async_span("detached") as span:
        assert span.is_recording()
        assert current_span_is_invalid()
    (finished,) = span_exporter.get_finished_spans()
    assert finished.name == "detached"
    assert finished.end_time is not None


def test_start_span_must_be_ended_by_caller(span_exporter: InMemorySpanExporter) -> None:
    span = tracer.start_span("manual", {"n": 1})
    assert span_exporter.get_finished_spans() == ()
    span.end()
    assert [s.name for s in span_exporter.get_finished_spans()] == ["manual"]


async def test_traced_gather_adds_one_span_whose_children_are_the_coroutines_spans(
    span_exporter: InMemorySpanExporter,
) -> None:
    async def fetch(item: str) -> str:
        with tracer.start_as_current_span(f"work-{item}"):
            await asyncio.sleep(0)
        return item.upper()

    async with tracer.start_as_current_async_span("request"):
        results = await traced_gather(tracer, [fetch("a"), fetch("b")], "fan-out")

    assert results == ["A", "B"]
    spans = by_name(span_exporter.get_finished_spans())
    # N instrumented coroutines: one span added (the gather), not N + 1.
    assert sorted(spans) == ["fan-out", "request", "work-a", "work-b"]
    assert_child_of(spans["fan-out"], spans["request"])
    assert spans["fan-out"].attributes["pynector.gather.size"] == 2
    assert_child_of(spans["work-a"], spans["fan-out"])
    assert_child_of(spans["work-b"], spans["fan-out"])
    assert current_span_is_invalid()


async def test_traced_gather_keeps_the_coroutines_themselves() -> None:
    # No wrapper coroutine: the tasks run the caller's coroutines, so their
    # names (which asyncio instrumentation reports) are the caller's.
    seen: list[str] = []

    async def fetch() -> None:
        task = asyncio.current_task()
        assert task is not None
        coroutine = task.get_coro()
        assert isinstance(coroutine, types.CoroutineType)
        seen.append(coroutine.__qualname__.rpartition(".")[2])

    await traced_gather(tracer, [fetch(), fetch()], "g")
    assert seen == ["fetch", "fetch"]


async def test_traced_gather_child_spans_on_request(span_exporter: InMemorySpanExporter) -> None:
    async def fetch(item: str) -> str:
        with tracer.start_as_current_span(f"work-{item}"):
            await asyncio.sleep(0)
        return item

    await traced_gather(tracer, [fetch("a"), fetch("b")], "fan-out", child_spans=True)

    spans = span_exporter.get_finished_spans()
    gather = next(s for s in spans if s.name == "fan-out")
    children = [s for s in spans if s.name == "fetch"]
    assert len(children) == 2
    for child in children:
        assert_child_of(child, gather)
    for item in "ab":
        work = next(s for s in spans if s.name == f"work-{item}")
        assert work.parent is not None
        assert any(work.parent.span_id == c.context.span_id for c in children)
    assert current_span_is_invalid()


@pytest.mark.parametrize("child_spans", [False, True])
async def test_traced_gather_failure_marks_the_gather(
    span_exporter: InMemorySpanExporter, child_spans: bool
) -> None:
    from opentelemetry.trace import StatusCode

    async def ok() -> int:
        return 1

    async def boom() -> int:
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        await traced_gather(tracer, [ok(), boom()], "mixed", child_spans=child_spans)
    spans = span_exporter.get_finished_spans()
    gather = next(s for s in spans if s.name == "mixed")
    assert gather.status.status_code is StatusCode.ERROR
    failed = [s for s in spans if s.name.endswith("boom")]
    assert len(failed) == (1 if child_spans else 0)
    assert all(s.status.status_code is StatusCode.ERROR for s in failed)
    assert current_span_is_invalid()


async def test_traced_gather_return_exceptions(span_exporter: InMemorySpanExporter) -> None:
    async def boom() -> int:
        raise KeyError("k")

    results = await traced_gather(tracer, [boom()], "tolerant", return_exceptions=True)
    assert isinstance(results[0], KeyError)


async def work(item: str) -> None:
    """A task that is instrumented itself: it opens ``inner-<item>``."""
    await asyncio.sleep(0)
    with tracer.start_as_current_span(f"inner-{item}"):
        pass


@pytest.mark.parametrize("backend", ["anyio", "asyncio"])
async def test_traced_task_group_tasks_run_in_the_group_span(
    span_exporter: InMemorySpanExporter, backend: str
) -> None:
    if backend == "anyio":
        pytest.importorskip("anyio")

    with patch("pynector.telemetry.context._HAS_ANYIO", backend == "anyio"):
        async with (
            tracer.start_as_current_async_span("request"),
            traced_task_group(tracer, "group", {"backend": backend}) as tg,
        ):
            tg.start_soon(work, "a")
            tg.start_soon(work, "b", name="task-b")

    spans = by_name(span_exporter.get_finished_spans())
    assert sorted(spans) == ["group", "inner-a", "inner-b", "request"]
    assert spans["group"].attributes["backend"] == backend
    assert_child_of(spans["group"], spans["request"])
    assert_child_of(spans["inner-a"], spans["group"])
    assert_child_of(spans["inner-b"], spans["group"])
    # The group span covers the whole life of its tasks.
    assert spans["group"].end_time >= max(spans["inner-a"].end_time, spans["inner-b"].end_time)
    assert current_span_is_invalid()


@pytest.mark.parametrize("backend", ["anyio", "asyncio"])
async def test_traced_task_group_child_spans_on_request(
    span_exporter: InMemorySpanExporter, backend: str
) -> None:
    if backend == "anyio":
        pytest.importorskip("anyio")

    with patch("pynector.telemetry.context._HAS_ANYIO", backend == "anyio"):
        async with traced_task_group(tracer, "group", child_spans=True) as tg:
            tg.start_soon(work, "a")
            tg.start_soon(work, "b", name="task-b")

    spans = span_exporter.get_finished_spans()
    named = {s.name: s for s in spans}
    task_a = next(s for s in spans if s.name.endswith("work"))
    assert_child_of(task_a, named["group"])
    assert_child_of(named["task-b"], named["group"])
    assert_child_of(named["inner-a"], task_a)
    assert_child_of(named["inner-b"], named["task-b"])
    assert current_span_is_invalid()


@pytest.mark.parametrize("child_spans", [False, True])
@pytest.mark.parametrize("backend", ["anyio", "asyncio"])
async def test_traced_task_group_failure_is_recorded(
    span_exporter: InMemorySpanExporter, backend: str, child_spans: bool
) -> None:
    from opentelemetry.trace import StatusCode

    if backend == "anyio":
        pytest.importorskip("anyio")

    async def boom() -> None:
        raise RuntimeError("task failed")

    with (
        patch("pynector.telemetry.context._HAS_ANYIO", backend == "anyio"),
        pytest.raises(ExceptionGroup) as caught,
    ):
        async with traced_task_group(tracer, "failing-group", child_spans=child_spans) as tg:
            tg.start_soon(boom)
    assert isinstance(caught.value.exceptions[0], RuntimeError)
    spans = by_name(span_exporter.get_finished_spans())
    assert spans["failing-group"].status.status_code is StatusCode.ERROR
    tasks = [s for n, s in spans.items() if n.endswith("boom")]
    assert len(tasks) == (1 if child_spans else 0)
    assert all(s.status.status_code is StatusCode.ERROR for s in tasks)
    assert current_span_is_invalid()


async def test_traced_async_operation_records_exception_once(
    span_exporter: InMemorySpanExporter,
) -> None:
    from opentelemetry.trace import StatusCode

    with pytest.raises(ValueError, match="bad input"):
        async with traced_async_operation(tracer, "op", {"step": 1}):
            raise ValueError("bad input")
    (span,) = span_exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "ValueError: bad input"
    exceptions = [e for e in span.events if e.name == "exception"]
    assert len(exceptions) == 1
    assert exceptions[0].attributes is not None
    assert exceptions[0].attributes["exception.type"] == "ValueError"
    assert current_span_is_invalid()


def test_sync_exception_recorded_with_error_status(span_exporter: InMemorySpanExporter) -> None:
    from opentelemetry.trace import StatusCode

    with pytest.raises(ZeroDivisionError), tracer.start_as_current_span("div"):
        1 / 0  # noqa: B018
    (span,) = span_exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["exception"]
    assert current_span_is_invalid()


async def test_cancellation_does_not_leak_context(span_exporter: InMemorySpanExporter) -> None:
    async def slow() -> None:
        async with traced_async_operation(tracer, "slow"):
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (span,) = span_exporter.get_finished_spans()
    assert span.name == "slow"
    assert current_span_is_invalid()
