"""Keep spans connected across ``await``, ``gather`` and task groups.

Three helpers cover the shapes concurrent library code takes:

* :func:`traced_async_operation` wraps one awaited operation in a span and
  records a failure on it;
* :func:`traced_gather` runs awaitables concurrently under one span;
* :func:`traced_task_group` is a task group whose span covers the group's
  whole life (anyio's task group when anyio is installed, so it runs on
  asyncio and trio alike; ``asyncio.TaskGroup`` otherwise).

The children of a gather or a task group run in the group span's context,
so the spans *they* open are the group span's children: a ``traced_gather``
of N instrumented coroutines adds one span, not N+1, and the coroutines
keep their own names (which OpenTelemetry's asyncio instrumentation
reports).  For children that are not instrumented themselves,
``child_spans=True`` wraps each in a span named after it.

>>> import asyncio
>>> from pynector.telemetry import get_telemetry
>>> tracer, log = get_telemetry("mylib")
>>> async def double(n: int) -> int:
...     async with traced_async_operation(tracer, "double", {"n": n}):
...         return 2 * n
>>> asyncio.run(traced_gather(tracer, [double(1), double(2)], "double_all"))
[2, 4]

Without OpenTelemetry they cost (almost) nothing: ``traced_gather`` is
``asyncio.gather``, and spans are no-ops.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeAlias, TypeVar, overload

from . import HAS_OPENTELEMETRY
from ._attributes import safe_repr
from ._dependencies import ANYIO, is_importable
from ._failures import record_failure
from ._optional import OptionalNames
from .protocols import SpanLike, TracerLike

if TYPE_CHECKING:
    from opentelemetry.context import Context, attach, detach, get_current

__all__ = [
    "ContextPreservingExecutor",
    "TracedTaskGroup",
    "bind_context",
    "traced_async_operation",
    "traced_gather",
    "traced_task_group",
]


_optional = OptionalNames(
    globals(),
    {
        "attach": ("opentelemetry.context", "attach"),
        "detach": ("opentelemetry.context", "detach"),
        "get_current": ("opentelemetry.context", "get_current"),
    },
)
__getattr__ = _optional.module_getattr

#: Task groups use anyio's when it is installed, so they run under trio too.
_HAS_ANYIO = is_importable(ANYIO)

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _tracing_enabled(tracer: TracerLike) -> bool:
    """Whether spans through *tracer* would be real (a facade knows; assume yes otherwise)."""
    is_enabled = getattr(tracer, "is_enabled", None)
    return True if is_enabled is None else bool(is_enabled())


class _TracedOperation:
    """The async context manager behind :func:`traced_async_operation`."""

    __slots__ = ("_manager", "_span")

    def __init__(self, tracer: TracerLike, name: str, attributes: Mapping[str, Any] | None):
        self._manager = tracer.start_as_current_async_span(name, attributes=attributes)
        self._span: SpanLike | None = None

    async def __aenter__(self) -> SpanLike:
        self._span = await self._manager.__aenter__()
        return self._span

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        if isinstance(exc_val, Exception) and self._span is not None:
            # Recorded here, once; the span itself is then closed as if the
            # block had succeeded, so OpenTelemetry does not record it twice.
            record_failure(self._span, exc_val, HAS_OPENTELEMETRY)
            await self._manager.__aexit__(None, None, None)
            return False
        # Cancellation and other BaseExceptions are not failures of the
        # operation; the span's own context manager decides.
        return await self._manager.__aexit__(exc_type, exc_val, exc_tb)


def traced_async_operation(
    tracer: TracerLike, name: str, attributes: Mapping[str, Any] | None = None
) -> AbstractAsyncContextManager[SpanLike]:
    """Run an ``async with`` block in a current span; a failure is recorded on it.

    ::

        async with traced_async_operation(tracer, "db.query", {"table": "users"}) as span:
            rows = await db.fetch(...)
            span.set_attribute("rows", len(rows))

    An exception leaving the block is recorded as an exception event, the
    span gets ERROR status, and the exception propagates unchanged.
    """
    return _TracedOperation(tracer, name, attributes)


def _span_name_for(obj: object, fallback: str) -> str:
    """A readable span name for a coroutine or function: its qualified name
    without the ``<locals>`` part (``Client.fetch``, ``fetch``)."""
    try:
        name = getattr(obj, "__qualname__", None)
    except Exception:  # a __getattr__ that raises
        return fallback
    if not isinstance(name, str):
        return fallback
    return name.rpartition("<locals>.")[2]


async def _in_child_span(
    tracer: TracerLike, context: Context, awaitable: Awaitable[_T], name: str
) -> _T:
    token = attach(context)
    try:
        with tracer.start_as_current_span(name):
            return await awaitable
    finally:
        detach(token)


@overload
async def traced_gather(
    tracer: TracerLike,
    coros: Iterable[Awaitable[_T]],
    name: str = "gather",
    *,
    return_exceptions: Literal[False] = False,
    child_spans: bool = False,
) -> list[_T]: ...


@overload
async def traced_gather(
    tracer: TracerLike,
    coros: Iterable[Awaitable[_T]],
    name: str = "gather",
    *,
    return_exceptions: bool,
    child_spans: bool = False,
) -> list[_T | BaseException]: ...


async def traced_gather(
    tracer: TracerLike,
    coros: Iterable[Awaitable[Any]],
    name: str = "gather",
    *,
    return_exceptions: bool = False,
    child_spans: bool = False,
) -> list[Any]:
    """``asyncio.gather`` under a span named *name*.

    Results come back as a list in the order given, typed after the
    awaitables (``list[T]``, or ``list[T | BaseException]`` with
    *return_exceptions*).  Each child starts in the gather span's context,
    so spans it opens are the gather span's children; with *child_spans*,
    each child runs in a span of its own, named after the coroutine.  With
    tracing off this is exactly ``asyncio.gather``.

    ::

        users, orders = await traced_gather(tracer, [get_users(), get_orders()], "load")
    """
    if not HAS_OPENTELEMETRY or not _tracing_enabled(tracer):
        return await _gather(list(coros), return_exceptions)
    awaitables = list(coros)
    _optional.load()
    async with tracer.start_as_current_async_span(name) as span:
        span.set_attribute("pynector.gather.size", len(awaitables))
        context = get_current()
        if child_spans:
            awaitables = [
                _in_child_span(tracer, context, awaitable, _span_name_for(awaitable, name))
                for awaitable in awaitables
            ]
            return await _gather(awaitables, return_exceptions)
        return await _gather(awaitables, return_exceptions, context)


async def _gather(
    awaitables: Sequence[Awaitable[Any]], return_exceptions: bool, context: Context | None = None
) -> list[Any]:
    """``asyncio.gather`` on asyncio; an anyio task group elsewhere (trio).

    With a *context*, each child task is created while that context is
    attached, so it starts in it (tasks copy the current context when they
    are created) whatever the caller's context is by then.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return await _gather_with_anyio(awaitables, return_exceptions)
    if context is not None:
        awaitables = [_start_in(context, awaitable) for awaitable in awaitables]
    return list(await asyncio.gather(*awaitables, return_exceptions=return_exceptions))


def _start_in(context: Context, awaitable: Awaitable[_T]) -> asyncio.Future[_T]:
    """Schedule *awaitable* as a task that starts in *context* (the coroutine keeps its name)."""
    token = attach(context)
    try:
        return asyncio.ensure_future(awaitable)
    finally:
        detach(token)


async def _gather_with_anyio(
    awaitables: Sequence[Awaitable[Any]], return_exceptions: bool
) -> list[Any]:
    import anyio

    results: list[Any] = [None] * len(awaitables)

    async def run(index: int, awaitable: Awaitable[Any]) -> None:
        try:
            results[index] = await awaitable
        except Exception as error:
            if not return_exceptions:
                raise
            results[index] = error

    try:
        async with anyio.create_task_group() as group:
            for index, awaitable in enumerate(awaitables):
                group.start_soon(run, index, awaitable)
    except BaseExceptionGroup as failures:
        # Like asyncio.gather: the caller sees the (first) exception itself.
        raise failures.exceptions[0] from None
    return results


_TaskFunc: TypeAlias = Callable[[], Coroutine[Any, Any, Any]]
#: Starts a task in the backend's group: ``spawn(func, name)``.
_Spawner: TypeAlias = Callable[[_TaskFunc, str], None]


class TracedTaskGroup:
    """The handle :func:`traced_task_group` yields; start tasks with :meth:`start_soon`."""

    __slots__ = ("_child_spans", "_spawn", "_tracer")

    def __init__(self, tracer: TracerLike, spawn: _Spawner, child_spans: bool = False) -> None:
        self._tracer = tracer
        self._spawn = spawn
        self._child_spans = child_spans

    def start_soon(
        self, func: Callable[..., Coroutine[Any, Any, Any]], *args: Any, name: str | None = None
    ) -> None:
        """Start ``func(*args)`` as a task of the group, in the group span's context.

        The task is named *name*, or after the function; so is its span when
        the group was opened with ``child_spans=True``.
        """
        task_name = name or _span_name_for(func, safe_repr(func))
        if not self._child_spans:
            self._spawn(functools.partial(func, *args), task_name)
            return
        tracer = self._tracer

        async def run() -> None:
            with tracer.start_as_current_span(task_name):
                await func(*args)

        self._spawn(run, task_name)


@asynccontextmanager
async def traced_task_group(
    tracer: TracerLike,
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    child_spans: bool = False,
) -> AsyncIterator[TracedTaskGroup]:
    """A task group whose span covers its whole life; tasks run in its context.

    ::

        async with traced_task_group(tracer, "fetch", {"count": 2}) as tg:
            tg.start_soon(fetch, "a")
            tg.start_soon(fetch, "b")

    Spans the tasks open are the group span's children; with *child_spans*
    each task also runs in a span of its own, named after it.
    The block ends when every task has finished.  If a task fails, the
    others are cancelled, the group raises an ``ExceptionGroup``, and the
    group span records it with ERROR status.  Uses anyio's task group when
    anyio is installed (so it runs under trio too), else
    ``asyncio.TaskGroup``.
    """
    async with tracer.start_as_current_async_span(name, attributes=attributes):
        if _HAS_ANYIO:
            import anyio

            async with anyio.create_task_group() as anyio_group:

                def spawn_anyio(func: _TaskFunc, task_name: str) -> None:
                    anyio_group.start_soon(func, name=task_name)

                yield TracedTaskGroup(tracer, spawn_anyio, child_spans)
        else:
            async with asyncio.TaskGroup() as asyncio_group:

                def spawn_asyncio(func: _TaskFunc, task_name: str) -> None:
                    asyncio_group.create_task(func(), name=task_name)

                yield TracedTaskGroup(tracer, spawn_asyncio, child_spans)


def bind_context(func: Callable[_P, _T]) -> Callable[_P, _T]:
    """Return *func* bound to the caller's current context (spans, baggage, contextvars).

    Threads and ``loop.run_in_executor`` start with an empty context, so a
    span opened in the worker would start a new trace.  Bind first:

    ::

        await loop.run_in_executor(None, bind_context(parse), payload)
        threading.Thread(target=bind_context(worker)).start()

    Each call runs in its own copy of the captured context, so the bound
    callable may run several times, concurrently, and changes it makes to
    context variables stay inside that call.
    """
    captured = contextvars.copy_context()

    @functools.wraps(func)
    def run_in_captured_context(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        return captured.copy().run(func, *args, **kwargs)

    return run_in_captured_context


class ContextPreservingExecutor(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` whose tasks run in the submitter's context.

    A drop-in replacement: ``submit`` and ``map`` capture the caller's
    context (and so its current span) at the time of the call, and spans
    opened in the worker become children of the submitter's span.

    >>> with ContextPreservingExecutor(max_workers=2) as pool:
    ...     list(pool.map(str.upper, ["a", "b"]))
    ['A', 'B']
    """

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Schedule ``fn(*args, **kwargs)`` to run in the caller's current context."""
        context = contextvars.copy_context()
        return super().submit(functools.partial(context.run, fn, *args, **kwargs))
