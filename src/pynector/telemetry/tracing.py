"""Span objects that work without OpenTelemetry, and an async adapter.

:class:`NoOpSpan` is what a facade hands out when tracing is off: it has a
real span's methods, costs one small allocation, and records nothing except
the attributes set on it (handy in tests).  :class:`AsyncSpanWrapper` lets a
synchronous span context manager be used with ``async with``.

>>> with NoOpSpan("load", {"rows": 3}) as span:
...     span.set_attribute("cached", True)
>>> span.attributes
{'rows': 3, 'cached': True}
"""

from __future__ import annotations

from ._optional import OptionalNames

TYPE_CHECKING = False  # a hot-path module: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from collections.abc import Mapping
    from contextlib import AbstractContextManager
    from types import TracebackType
    from typing import Any

__all__ = ["AsyncSpanWrapper", "NoOpSpan", "RecordingSpanContext", "shared_noop_span"]


_optional = OptionalNames(globals(), {"detach": ("opentelemetry.context", "detach")})
__getattr__ = _optional.module_getattr

_EMPTY: Mapping[str, Any] = {}  # shared, never written: spans copy before writing


class NoOpSpan:
    """A span that records nothing; the no-op stand-in for an OpenTelemetry span.

    It is a sync and an async context manager, accepts every span method,
    and keeps the attributes it is given in :attr:`attributes`.
    """

    __slots__ = ("_attributes", "_owns_attributes", "name")

    def __init__(self, name: str = "", attributes: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self._attributes = _EMPTY if attributes is None else attributes
        self._owns_attributes = False

    @property
    def attributes(self) -> dict[str, Any]:
        """The attributes given at creation plus those set since (a copy is made on write)."""
        return self._writable_attributes()

    def _writable_attributes(self) -> dict[str, Any]:
        attributes = self._attributes
        if self._owns_attributes and isinstance(attributes, dict):
            return attributes
        try:
            owned = dict(attributes)
        except Exception:  # whatever was given cannot be read as a mapping
            owned = {}
        self._attributes = owned
        self._owns_attributes = True
        return owned

    def __enter__(self) -> NoOpSpan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None

    async def __aenter__(self) -> NoOpSpan:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None

    def set_attribute(self, key: str, value: Any) -> None:
        attributes = self._writable_attributes()
        try:
            attributes[key] = value
        except Exception:  # an unhashable key: a span method never raises
            return

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        writable = self._writable_attributes()
        try:
            writable.update(attributes)
        except Exception:  # not a mapping, or one that cannot be read
            return

    def add_event(
        self, name: str, attributes: Mapping[str, Any] | None = None, timestamp: int | None = None
    ) -> None:
        return None

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None:
        return None

    def set_status(self, status: Any, description: str | None = None) -> None:
        return None

    def update_name(self, name: str) -> None:
        self.name = name

    def is_recording(self) -> bool:
        return False

    def end(self, end_time: int | None = None) -> None:
        return None

    def __repr__(self) -> str:
        return f"NoOpSpan({self.name!r})"


class AsyncSpanWrapper:
    """Use a synchronous span (or span context manager) with ``async with``.

    Entering calls the wrapped object's ``__enter__`` and yields what it
    returns; leaving calls its ``__exit__`` with the exception, if any, so an
    OpenTelemetry span records it.  If a context *token* is given (from
    ``opentelemetry.context.attach``), it is detached on exit, after the
    span has ended.
    """

    __slots__ = ("span", "token")

    def __init__(self, span: AbstractContextManager[Any], token: object | None = None) -> None:
        self.span = span
        self.token = token

    async def __aenter__(self) -> Any:
        return self.span.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        try:
            return self.span.__exit__(exc_type, exc_val, exc_tb)
        finally:
            if self.token is not None:
                _optional.resolve("detach")(self.token)


class RecordingSpanContext:
    """OpenTelemetry's ``start_as_current_span`` context manager, with the
    failure recorded by pynector instead of by OpenTelemetry.

    Wraps a manager made with ``record_exception=False`` and
    ``set_status_on_exception=False``.  OpenTelemetry records an exception
    with ``str(exc)``; for an exception whose ``__str__`` raises, its error
    would replace the caller's own.  Here the failure is recorded (event
    and ERROR status) in a way that never raises, and the caller's
    exception propagates unchanged.
    """

    __slots__ = ("manager", "span")

    def __init__(self, manager: AbstractContextManager[Any]) -> None:
        self.manager = manager
        self.span: Any = None

    def __enter__(self) -> Any:
        self.span = self.manager.__enter__()
        return self.span

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        if exc_val is not None:
            from ._failures import record_failure

            record_failure(self.span, exc_val)
        return self.manager.__exit__(exc_type, exc_val, exc_tb)


class _SharedNoOpSpan(NoOpSpan):
    """A no-op span reused for every span of one name while tracing is off.

    Handing out one object per name instead of allocating a span per call
    is what makes a disabled span cheaper than ``with nullcontext()``.
    Being shared, it ignores attributes set on it (nothing reads them while
    tracing is off).
    """

    __slots__ = ()

    def set_attribute(self, key: str, value: Any) -> None:
        return None

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        return None

    def update_name(self, name: str) -> None:
        return None


#: name -> shared no-op span; bounded so that dynamic span names cannot grow it.
_SHARED_NOOP_SPANS: dict[str, NoOpSpan] = {}
_MAX_SHARED_NOOP_SPANS = 1024


def shared_noop_span(name: str) -> NoOpSpan:
    """The shared no-op span for *name* (a fresh one once the cache is full)."""
    span = _SHARED_NOOP_SPANS.get(name)
    if span is None:
        span = _SharedNoOpSpan(name)
        if len(_SHARED_NOOP_SPANS) < _MAX_SHARED_NOOP_SPANS:
            _SHARED_NOOP_SPANS[name] = span
    return span
