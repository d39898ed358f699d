"""The two objects a library holds: a tracer and a logger that are safe to call always.

A library gets them once, at import time, with
:func:`pynector.telemetry.get_telemetry`, and calls them on every request.
They decide *per call* what to do, so the application may configure
OpenTelemetry or structlog at any time, before or after the library was
imported:

* **Tracing.** With no OpenTelemetry, or OpenTelemetry installed but no
  tracer provider set by the application, a span is a
  :class:`~pynector.telemetry.tracing.NoOpSpan` and nothing is imported or
  recorded.  Once the application sets a provider, the same facade makes
  real spans.
* **Logging.** Events go to structlog if the application configured it
  (itself or via :func:`~pynector.telemetry.configure_telemetry`),
  otherwise, with or without structlog installed, to the standard library
  logger of the same name, where the application's ``logging``
  configuration decides, and where nothing is printed if it has none.

Nothing here raises into the caller: odd attribute values are coerced, and
a logging failure becomes one :class:`~pynector.telemetry.TelemetryWarning`.
"""

from __future__ import annotations

import sys

from . import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from ._levels import CRITICAL, DEBUG, ERROR, INFO, WARNING
from ._optional import OptionalNames
from .logging import NoOpLogger
from .tracing import (
    _SHARED_NOOP_SPANS,
    AsyncSpanWrapper,
    NoOpSpan,
    RecordingSpanContext,
    shared_noop_span,
)

TYPE_CHECKING = False  # a hot-path module: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from contextlib import AbstractAsyncContextManager, AbstractContextManager
    from typing import Any

    import structlog

    from ._logs.routing import LogRoute
    from .protocols import SpanLike

__all__ = ["LoggingFacade", "TracingFacade"]

_optional = OptionalNames(
    globals(),
    {"trace": ("opentelemetry.trace", None), "structlog": ("structlog", None)},
)
__getattr__ = _optional.module_getattr
_GLOBALS = globals()


def _first_coerce(attributes: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    # Attribute coercion (and redaction at pynector's boundary) is only
    # needed once spans are real; importing it lazily keeps
    # `import pynector.telemetry` free of collections.abc, re & co.
    global _coerce
    from .redaction import boundary_attributes

    _coerce = boundary_attributes
    return boundary_attributes(attributes)


_coerce: Callable[[Mapping[str, Any] | None], Mapping[str, Any] | None] = _first_coerce


def _text(name: object) -> str:
    """A span name that is not a ``str``, as text (OTLP cannot encode anything else)."""
    from ._attributes import safe_repr

    return safe_repr(name)


_MODULES = sys.modules  # one global lookup instead of two on the hot path

# Stands for "this OpenTelemetry has no private provider global we can read":
# spans then always go through OpenTelemetry, costing what it costs, and none
# is lost.
_UNKNOWN_PROVIDER = object()


# The disabled log path, which has about 0.25x `with nullcontext()` to spend
# on top of the method call itself (see LoggingFacade).
_NO_LEVELS: dict[int, bool] = {}  # before the route exists: no level known
_STRUCTLOG_CONFIG = "structlog._config"  # imported, structlog may be configured

#: structlog's live configuration object (anything with ``is_configured``),
#: set by the route the first time it finds structlog imported; ``None`` until then.
_structlog: Any = None


class TracingFacade:
    """A tracer that is a no-op until the application configures OpenTelemetry.

    >>> tracer = TracingFacade("mylib")
    >>> with tracer.start_as_current_span("load", {"rows": 3}) as span:
    ...     span.set_attribute("cached", False)
    """

    __slots__ = ("_live", "_provider", "_tracer", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._tracer: Any = None  # what trace.get_tracer(name) returned
        self._provider: Any = None  # the global provider when it did
        self._live: Any = None  # _tracer, or None while spans would be no-ops

    @property
    def tracer(self) -> Any:
        """The underlying OpenTelemetry tracer, or ``None`` without OpenTelemetry.

        Obtained with ``trace.get_tracer(name)`` on first use and again
        whenever the global tracer provider changes: before the application
        sets one it is OpenTelemetry's lazily resolving proxy, after that
        the provider's own tracer.
        """
        if not HAS_OPENTELEMETRY:
            return None
        _optional.resolve("trace")  # imports OpenTelemetry if nothing did yet
        self._active_tracer()  # (re)obtains the tracer if the provider changed
        return self._tracer

    def _refresh(self, otel_trace: Any, provider: Any) -> None:
        tracer = otel_trace.get_tracer(self.name)
        self._tracer = tracer
        self._provider = provider
        # OpenTelemetry's proxy with no provider behind it records nothing
        # and only passes the current context through, which the no-op path
        # does too (it leaves the context alone) at a fraction of the cost.
        proxy_only = provider is None and type(tracer) is otel_trace.ProxyTracer
        self._live = None if proxy_only else tracer

    def _active_tracer(self) -> Any:
        """The tracer to use for this call, or ``None`` for the no-op path.

        The hot path of every span: a dictionary lookup and two identity
        checks while nothing changes.  The provider is read the way
        OpenTelemetry's own ``ProxyTracer`` decides to resolve.
        """
        otel_trace = _MODULES.get("opentelemetry.trace")
        if otel_trace is None:
            # Nobody imported OpenTelemetry, so nobody can have set a provider;
            # unless OpenTelemetry is missing and ``trace`` here is its
            # stand-in, which tests patch (see ``_standins``).
            otel_trace = _GLOBALS.get("trace")
            if otel_trace is None:
                return None
        try:
            provider = otel_trace._TRACER_PROVIDER
        except AttributeError:
            provider = _UNKNOWN_PROVIDER
        if provider is not self._provider or self._tracer is None:
            self._refresh(otel_trace, provider)
        return self._live

    def is_enabled(self) -> bool:
        """Whether spans made now are real (OpenTelemetry with a provider set).

        Lets callers skip work that only feeds telemetry, such as computing
        an expensive attribute.
        """
        return HAS_OPENTELEMETRY and self._active_tracer() is not None

    def start_span(self, name: str, attributes: Mapping[str, Any] | None = None) -> SpanLike:
        """Start a span that is *not* made current; the caller must ``end()`` it."""
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
            if type(name) is not str:
                name = _text(name)
            span: SpanLike = tracer.start_span(name, attributes=_coerce(attributes))
            return span
        return NoOpSpan(name, attributes)

    def start_as_current_span(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> AbstractContextManager[SpanLike]:
        """Context manager: a span that is current (the parent of new spans) inside it.

        An exception leaving the block is recorded on the span, which gets
        ERROR status, and is re-raised.  With tracing off this returns a
        shared no-op span (see :func:`~pynector.telemetry.tracing.shared_noop_span`).
        """
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
            if type(name) is not str:
                name = _text(name)
            manager: AbstractContextManager[SpanLike] = tracer.start_as_current_span(
                name, attributes=_coerce(attributes)
            )
            return manager
        if attributes is None:
            try:
                return _SHARED_NOOP_SPANS[name]
            except KeyError:
                return shared_noop_span(name)
            except Exception:  # an unhashable name: no shared span for it
                return NoOpSpan(name)
        return NoOpSpan(name, attributes)

    async def start_async_span(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> AbstractAsyncContextManager[SpanLike]:
        """Like :meth:`start_span`, for ``async with await tracer.start_async_span(...)``.

        The span is ended when the ``async with`` block ends but, as with
        :meth:`start_span`, it is not made current.
        """
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
            if type(name) is not str:
                name = _text(name)
            return AsyncSpanWrapper(tracer.start_span(name, attributes=_coerce(attributes)))
        return NoOpSpan(name, attributes)

    def start_as_current_async_span(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> AbstractAsyncContextManager[SpanLike]:
        """``async with`` form of :meth:`start_as_current_span`.

        The span is current inside the block, including across ``await``,
        and in tasks created there.
        """
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
            return AsyncSpanWrapper(self._recording(tracer, name, attributes))
        if attributes is None:
            try:
                return _SHARED_NOOP_SPANS.get(name) or shared_noop_span(name)
            except Exception:  # an unhashable name: no shared span for it
                return NoOpSpan(name)
        return NoOpSpan(name, attributes)

    def current_span_recording_failures(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> AbstractContextManager[SpanLike]:
        """:meth:`start_as_current_span`, with the failure recorded by pynector.

        What ``@traced`` uses: an exception whose ``__str__`` raises is
        recorded with a placeholder message, and still reaches the caller
        as it was raised (OpenTelemetry's own recording would replace it).
        """
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
            return self._recording(tracer, name, attributes)
        return self.start_as_current_span(name, attributes)

    @staticmethod
    def _recording(
        tracer: Any, name: str, attributes: Mapping[str, Any] | None
    ) -> RecordingSpanContext:
        if type(name) is not str:
            name = _text(name)
        return RecordingSpanContext(
            tracer.start_as_current_span(
                name,
                attributes=_coerce(attributes),
                record_exception=False,
                set_status_on_exception=False,
            )
        )

    def __repr__(self) -> str:
        return f"TracingFacade({self.name!r})"


class LoggingFacade:
    """A structured logger that only speaks when the application lets it.

    >>> log = LoggingFacade("mylib")
    >>> log.info("cache miss", key="user:1")

    Where an event goes is decided per call by
    :class:`~pynector.telemetry._logs.routing.LogRoute`; this class only
    keeps the disabled path cheap.  An event is dropped on the spot when
    the standard library logger of the facade's name already knows it is
    disabled for the level (its own cache, which ``setLevel`` and
    ``logging.disable`` clear) and structlog is not configured (or not even
    imported); anything else goes to the route, which decides afresh.
    """

    __slots__ = ("_levels", "_logger", "_route", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: Any = None
        self._route: LogRoute | None = None
        # The stdlib logger's level cache once the route exists: level -> enabled.
        self._levels: Mapping[int, bool] = _NO_LEVELS

    @property
    def logger(self) -> Any:
        """structlog's logger for this name, or a :class:`NoOpLogger` without structlog.

        Events logged through the facade's own methods never depend on it:
        without structlog they go to the standard library logger of the
        same name.
        """
        if self._logger is None:
            if HAS_STRUCTLOG:
                _optional.resolve("structlog")
                self._logger = structlog.get_logger(self.name)
            else:
                self._logger = NoOpLogger(self.name)
        return self._logger

    def debug(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at DEBUG level."""
        if self._levels.get(DEBUG) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(DEBUG, event, fields, False)

    def info(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at INFO level."""
        if self._levels.get(INFO) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(INFO, event, fields, False)

    def warning(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at WARNING level."""
        if self._levels.get(WARNING) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(WARNING, event, fields, False)

    def error(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at ERROR level."""
        if self._levels.get(ERROR) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(ERROR, event, fields, False)

    def critical(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at CRITICAL level."""
        if self._levels.get(CRITICAL) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(CRITICAL, event, fields, False)

    def exception(self, event: str, /, **fields: Any) -> None:
        """Log *event* at ERROR level with the exception being handled."""
        if self._levels.get(ERROR) is False and not (
            _structlog.is_configured if _structlog else _STRUCTLOG_CONFIG in _MODULES
        ):
            return
        self._emit(ERROR, event, fields, True)

    def _emit(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        route = self._route or self._make_route()
        route.emit(level, event, fields, exc_info)

    def _make_route(self) -> LogRoute:
        from ._logs.routing import LogRoute

        route = self._route = LogRoute(self)
        self._levels = route.level_cache
        return route

    def __repr__(self) -> str:
        return f"LoggingFacade({self.name!r})"
