"""Context crosses threads, executors and both anyio backends."""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import get_telemetry
from pynector.telemetry.context import (
    ContextPreservingExecutor,
    bind_context,
    traced_gather,
    traced_task_group,
)
from support.spans import assert_child_of, by_name

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

tracer, _ = get_telemetry("tests.boundaries")


def work(label: str) -> str:
    with tracer.start_as_current_span(f"worker-{label}"):
        return threading.current_thread().name


def test_no_op_paths_run_everything() -> None:
    assert bind_context(work)("a")
    with ContextPreservingExecutor(max_workers=2) as pool:
        assert len(list(pool.map(work, ["x", "y"]))) == 2
        assert pool.submit(work, "z").result()


@pytest.mark.requires_otel
def test_thread_target_bound_to_callers_span(span_exporter: InMemorySpanExporter) -> None:
    with tracer.start_as_current_span("parent"):
        thread = threading.Thread(target=bind_context(work), args=("thread",))
        thread.start()
        thread.join()
        unbound = threading.Thread(target=work, args=("unbound",))
        unbound.start()
        unbound.join()
    spans = by_name(span_exporter.get_finished_spans())
    assert_child_of(spans["worker-thread"], spans["parent"])
    assert spans["worker-unbound"].parent is None  # what bind_context fixes


@pytest.mark.requires_otel
async def test_run_in_executor_with_bind_context(span_exporter: InMemorySpanExporter) -> None:
    loop = asyncio.get_running_loop()
    async with tracer.start_as_current_async_span("request"):
        name = await loop.run_in_executor(None, bind_context(work), "executor")
    assert name != threading.current_thread().name
    spans = by_name(span_exporter.get_finished_spans())
    assert_child_of(spans["worker-executor"], spans["request"])


@pytest.mark.requires_otel
def test_context_preserving_executor_submit_and_map(span_exporter: InMemorySpanExporter) -> None:
    with ContextPreservingExecutor(max_workers=3) as pool:
        with tracer.start_as_current_span("submitter"):
            futures = [pool.submit(work, f"s{i}") for i in range(3)]
            mapped = list(pool.map(work, ["m0", "m1"]))
        [f.result() for f in futures]
    assert len(mapped) == 2
    spans = by_name(span_exporter.get_finished_spans())
    for label in ("s0", "s1", "s2", "m0", "m1"):
        assert_child_of(spans[f"worker-{label}"], spans["submitter"])


@pytest.mark.requires_otel
def test_bound_callable_may_run_concurrently(span_exporter: InMemorySpanExporter) -> None:
    with tracer.start_as_current_span("parent"):
        bound = bind_context(work)
    threads = [threading.Thread(target=bound, args=(f"c{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans = by_name(span_exporter.get_finished_spans())
    for i in range(4):
        assert_child_of(spans[f"worker-c{i}"], spans["parent"])


@pytest.mark.requires_otel
@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_task_group_and_gather_on_every_anyio_backend(
    span_exporter: InMemorySpanExporter, backend: str
) -> None:
    anyio = pytest.importorskip("anyio")
    if backend == "trio":
        pytest.importorskip("trio")

    async def leaf(label: str) -> str:
        await anyio.sleep(0)
        with tracer.start_as_current_span(f"leaf-{label}"):
            await anyio.sleep(0)
        return label

    async def main() -> list[str]:
        async with tracer.start_as_current_async_span("root"):
            async with traced_task_group(tracer, "group") as tg:
                tg.start_soon(leaf, "t1", name="task-1")
                tg.start_soon(leaf, "t2", name="task-2")
            return await traced_gather(tracer, [leaf("g1"), leaf("g2")], "gather")

    assert anyio.run(main, backend=backend) == ["g1", "g2"]
    spans = span_exporter.get_finished_spans()
    named = {s.name: s for s in spans}
    assert sorted(named) == ["gather", "group", "leaf-g1", "leaf-g2", "leaf-t1", "leaf-t2", "root"]
    assert_child_of(named["group"], named["root"])
    assert_child_of(named["gather"], named["root"])
    for task in ("t1", "t2"):
        assert_child_of(named[f"leaf-{task}"], named["group"])
    for label in ("g1", "g2"):
        assert_child_of(named[f"leaf-{label}"], named["gather"])


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_gather_failure_and_return_exceptions_on_every_backend(backend: str) -> None:
    anyio = pytest.importorskip("anyio")
    if backend == "trio":
        pytest.importorskip("trio")

    async def boom() -> None:
        raise ValueError("bad")

    async def ok() -> int:
        return 1

    async def main() -> list[object]:
        with pytest.raises(ValueError, match="bad"):
            await traced_gather(tracer, [ok(), boom()], "g")
        return await traced_gather(tracer, [ok(), boom()], "g", return_exceptions=True)

    first, second = anyio.run(main, backend=backend)
    assert first == 1
    assert isinstance(second, ValueError)
