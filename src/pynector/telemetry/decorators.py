"""``@traced``: one span per call, for functions, coroutines and generators.

>>> @traced
... def parse(text): ...

>>> @traced("db.fetch", attributes={"db.system": "postgresql"}, record_args=True)
... async def fetch(user_id: int): ...

The span is named after the function (``module.qualname``) unless a name
is given, and is made by the tracer of the function's module, so it is a
no-op until the application configures tracing.  An exception is recorded
with ERROR status and re-raised unchanged.  ``functools.wraps`` metadata
and ``inspect.iscoroutinefunction`` / ``isasyncgenfunction`` answers are
preserved.

For generators and async generators the span covers the whole iteration,
from the first step to exhaustion (or ``close()``).  It is current only
while the generator's own code runs, attached and detached around each
step, so spans opened inside are its children, the consumer's context is
never touched, and an abandoned generator ends its span without a "Failed
to detach context" error.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from contextlib import AbstractContextManager
from typing import Any, TypeVar, overload

from ._attributes import coerce_value, safe_repr
from ._failures import record_failure
from .facade import TracingFacade
from .protocols import SpanLike

__all__ = ["traced"]

_F = TypeVar("_F", bound=Callable[..., Any])
_DROP_ARGS = frozenset({"self", "cls"})


class _Traced:
    """What one decorated function needs at call time."""

    __slots__ = ("attributes", "func", "name", "record_args", "signature", "tracer")

    def __init__(
        self,
        func: Callable[..., Any],
        name: str | None,
        attributes: Mapping[str, Any] | None,
        record_args: bool,
    ) -> None:
        self.func = func
        module = getattr(func, "__module__", None) or "__main__"
        qualname = getattr(func, "__qualname__", repr(func))
        self.name = name or f"{module}.{qualname}"
        self.tracer = TracingFacade(module)
        self.attributes = {
            "code.function": qualname,
            "code.namespace": module,
            **(attributes or {}),
        }
        self.record_args = record_args
        self.signature = inspect.signature(func) if record_args else None

    def call_attributes(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.signature is None:
            return self.attributes
        attributes = dict(self.attributes)
        try:
            bound = self.signature.bind_partial(*args, **kwargs)
        except TypeError:  # the call itself is wrong; let the function raise it
            return attributes
        for key, value in bound.arguments.items():
            if key not in _DROP_ARGS:
                coerced = coerce_value(value)
                attributes[f"code.args.{key}"] = (
                    coerced
                    if isinstance(coerced, (str, bool, int, float, tuple))
                    else safe_repr(value)
                )
        return attributes

    def current_span(self, span: SpanLike) -> AbstractContextManager[Any]:
        """Make *span* current for one step of a generator (without ending it)."""
        if not span.is_recording() and not self.tracer.is_enabled():
            return _NULL_CONTEXT
        from opentelemetry.trace import use_span

        return use_span(
            span,  # type: ignore[arg-type]
            end_on_exit=False,
            record_exception=False,
            set_status_on_exception=False,
        )


class _NullContext:
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NULL_CONTEXT = _NullContext()


def _wrap_function(t: _Traced) -> Callable[..., Any]:
    func = t.func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with t.tracer.current_span_recording_failures(t.name, t.call_attributes(args, kwargs)):
            return func(*args, **kwargs)

    return wrapper


def _wrap_coroutine(t: _Traced) -> Callable[..., Any]:
    func = t.func

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        with t.tracer.current_span_recording_failures(t.name, t.call_attributes(args, kwargs)):
            return await func(*args, **kwargs)

    return wrapper


def _wrap_generator(t: _Traced) -> Callable[..., Any]:
    func = t.func

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        span = t.tracer.start_span(t.name, t.call_attributes(args, kwargs))
        generator = func(*args, **kwargs)
        step: Callable[[Any], Any] = generator.send
        value: Any = None
        try:
            while True:
                try:
                    with t.current_span(span):
                        item = step(value)
                except StopIteration as stop:
                    return stop.value
                try:
                    value = yield item
                    step = generator.send
                except GeneratorExit:
                    raise
                except BaseException as thrown:  # the consumer threw into us
                    step, value = generator.throw, thrown
        except BaseException as exc:
            record_failure(span, exc)
            raise
        finally:
            with t.current_span(span):
                generator.close()
            span.end()

    return wrapper


def _wrap_async_generator(t: _Traced) -> Callable[..., Any]:
    func = t.func

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
        span = t.tracer.start_span(t.name, t.call_attributes(args, kwargs))
        generator = func(*args, **kwargs)
        step: Callable[[Any], Any] = generator.asend
        value: Any = None
        try:
            while True:
                try:
                    with t.current_span(span):
                        item = await step(value)
                except StopAsyncIteration:
                    return
                try:
                    value = yield item
                    step = generator.asend
                except GeneratorExit:
                    raise
                except BaseException as thrown:
                    step, value = generator.athrow, thrown
        except BaseException as exc:
            record_failure(span, exc)
            raise
        finally:
            with t.current_span(span):
                await generator.aclose()
            span.end()

    return wrapper


def _decorate(
    func: _F, name: str | None, attributes: Mapping[str, Any] | None, record_args: bool
) -> _F:
    t = _Traced(func, name, attributes, record_args)
    if inspect.isasyncgenfunction(func):
        wrapped = _wrap_async_generator(t)
    elif inspect.isgeneratorfunction(func):
        wrapped = _wrap_generator(t)
    elif inspect.iscoroutinefunction(func):
        wrapped = _wrap_coroutine(t)
    else:
        wrapped = _wrap_function(t)
    return wrapped  # type: ignore[return-value]


@overload
def traced(func: _F, /) -> _F: ...


@overload
def traced(
    name: str | None = None,
    /,
    *,
    attributes: Mapping[str, Any] | None = None,
    record_args: bool = False,
) -> Callable[[_F], _F]: ...


def traced(
    func_or_name: Any = None,
    /,
    *,
    attributes: Mapping[str, Any] | None = None,
    record_args: bool = False,
) -> Any:
    """Trace every call of the decorated function; usable bare or with arguments.

    Args:
        name: the span name (default: ``module.qualname``).
        attributes: attributes set on every span.
        record_args: also record the call's arguments as ``code.args.<name>``
            attributes (off by default: arguments may be large or sensitive).
    """
    if callable(func_or_name):
        return _decorate(func_or_name, None, attributes, record_args)
    name = func_or_name

    def decorator(func: _F) -> _F:
        return _decorate(func, name, attributes, record_args)

    return decorator
