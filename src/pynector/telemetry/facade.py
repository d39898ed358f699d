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
* **Logging.** Without structlog, logging is a no-op.  With structlog
  installed, events go to structlog if the application configured it
  (itself or via :func:`~pynector.telemetry.configure_telemetry`),
  otherwise to the standard library logger of the same name, where the
  application's ``logging`` configuration decides, and where nothing is
  printed if it has none.

Nothing here raises into the caller: odd attribute values are coerced, and
a logging failure becomes one :class:`~pynector.telemetry.TelemetryWarning`.
"""

from __future__ import annotations

import sys

from ._dependencies import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from ._optional import OptionalNames
from ._warnings import warn_once
from .logging import NoOpLogger
from .tracing import _SHARED_NOOP_SPANS, AsyncSpanWrapper, NoOpSpan, shared_noop_span

# Not ``typing.TYPE_CHECKING``: importing typing costs ~5 ms, and this module
# is imported by every library that uses pynector.  Type checkers treat any
# name TYPE_CHECKING as true.
TYPE_CHECKING = False

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Mapping
    from contextlib import AbstractAsyncContextManager, AbstractContextManager
    from typing import Any

    import structlog

    from ._protocols import SpanLike

__all__ = ["LoggingFacade", "TracingFacade"]

_optional = OptionalNames(
    globals(),
    {"trace": ("opentelemetry.trace", None), "structlog": ("structlog", None)},
)
__getattr__ = _optional.module_getattr


def _first_coerce(attributes: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    # Attribute coercion is only needed once spans are real; importing it
    # lazily keeps `import pynector.telemetry` free of collections.abc & co.
    global _coerce
    from ._attributes import coerce_attributes

    _coerce = coerce_attributes
    return coerce_attributes(attributes)


_coerce: Callable[[Mapping[str, Any] | None], Mapping[str, Any] | None] = _first_coerce


_MODULES = sys.modules  # one global lookup instead of two on the hot path

# Stands for "this OpenTelemetry has no private provider global we can read":
# spans then always go through OpenTelemetry, costing what it costs, and none
# is lost.
_UNKNOWN_PROVIDER = object()


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
            # Nobody imported OpenTelemetry, so nobody can have set a provider.
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
            manager: AbstractContextManager[SpanLike] = tracer.start_as_current_span(
                name, attributes=_coerce(attributes)
            )
            return manager
        if attributes is None:
            try:
                return _SHARED_NOOP_SPANS[name]
            except KeyError:
                return shared_noop_span(name)
        return NoOpSpan(name, attributes)

    async def start_async_span(
        self, name: str, attributes: Mapping[str, Any] | None = None
    ) -> AbstractAsyncContextManager[SpanLike]:
        """Like :meth:`start_span`, for ``async with await tracer.start_async_span(...)``.

        The span is ended when the ``async with`` block ends but, as with
        :meth:`start_span`, it is not made current.
        """
        if HAS_OPENTELEMETRY and (tracer := self._active_tracer()) is not None:
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
            return AsyncSpanWrapper(
                tracer.start_as_current_span(name, attributes=_coerce(attributes))
            )
        if attributes is None:
            return _SHARED_NOOP_SPANS.get(name) or shared_noop_span(name)
        return NoOpSpan(name, attributes)

    def __repr__(self) -> str:
        return f"TracingFacade({self.name!r})"


# Stands for "structlog is configured, but its internals are not the ones we
# know": then every call binds through structlog's public lazy proxy.
_OPAQUE_CONFIG = object()


def _structlog_config() -> Any:
    """structlog's live configuration when the application configured it, else ``None``.

    Without an import of structlog, nobody can have configured it.
    """
    module = sys.modules.get("structlog._config")
    if module is None:
        return None
    config = getattr(module, "_CONFIG", None)
    if config is None or not hasattr(config, "default_processors"):
        structlog_module = sys.modules.get("structlog")
        configured = structlog_module is not None and structlog_module.is_configured()
        return _OPAQUE_CONFIG if configured else None
    return config if config.is_configured else None


def _config_key(config: Any) -> tuple[Any, ...] | None:
    """What a bound logger depends on; ``None`` when it cannot be known."""
    if config is _OPAQUE_CONFIG:
        return None
    return (
        config.default_processors,
        config.logger_factory,
        config.default_wrapper_class,
        config.default_context_class,
    )


# Level numbers of the standard library, so ``logging`` need not be imported.
_DEBUG, _INFO, _WARNING, _ERROR, _CRITICAL = 10, 20, 30, 40, 50
_LEVEL_NAMES = {
    _DEBUG: "debug",
    _INFO: "info",
    _WARNING: "warning",
    _ERROR: "error",
    _CRITICAL: "critical",
}


class LoggingFacade:
    """A structured logger that only speaks when the application lets it.

    >>> log = LoggingFacade("mylib")
    >>> log.info("cache miss", key="user:1")
    """

    __slots__ = ("_bound", "_bound_key", "_logger", "_stdlib_logger", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._logger: Any = None
        self._stdlib_logger: logging.Logger | None = None
        self._bound: Any = None
        self._bound_key: tuple[Any, ...] | None = None

    @property
    def logger(self) -> Any:
        """structlog's logger for this name, or a :class:`NoOpLogger` without structlog."""
        if self._logger is None:
            if HAS_STRUCTLOG:
                _optional.resolve("structlog")
                self._logger = structlog.get_logger(self.name)
            else:
                self._logger = NoOpLogger(self.name)
        return self._logger

    def debug(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at DEBUG level."""
        if HAS_STRUCTLOG:
            self._emit(_DEBUG, event, fields, False)

    def info(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at INFO level."""
        if HAS_STRUCTLOG:
            self._emit(_INFO, event, fields, False)

    def warning(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at WARNING level."""
        if HAS_STRUCTLOG:
            self._emit(_WARNING, event, fields, False)

    def error(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at ERROR level."""
        if HAS_STRUCTLOG:
            self._emit(_ERROR, event, fields, False)

    def critical(self, event: str, /, **fields: Any) -> None:
        """Log *event* with structured *fields* at CRITICAL level."""
        if HAS_STRUCTLOG:
            self._emit(_CRITICAL, event, fields, False)

    def exception(self, event: str, /, **fields: Any) -> None:
        """Log *event* at ERROR level with the exception being handled."""
        if HAS_STRUCTLOG:
            self._emit(_ERROR, event, fields, True)

    def _emit(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        if "structlog" not in sys.modules:
            # structlog was never imported, so it cannot be configured: the
            # record would go to the stdlib logger; skip all work if it is off.
            stdlib_logger = self._stdlib_logger or self._make_stdlib_logger()
            if not stdlib_logger.isEnabledFor(level):
                return
        try:
            self._dispatch(level, event, fields, exc_info)
        except Exception as error:
            problem: Exception = error
            # Most failures come from a field that cannot be rendered; keep the
            # event with every field turned into a string rather than lose it.
            try:
                from ._attributes import safe_repr

                plain = {key: safe_repr(value) for key, value in fields.items()}
                self._dispatch(level, event, plain, exc_info)
            except Exception as second_error:
                problem = second_error
            warn_once(
                "log-failed",
                f"A log event could not be written as given ({problem!r}); "
                "its fields were converted to strings. "
                "This warning is shown once per process.",
            )

    def _make_stdlib_logger(self) -> logging.Logger:
        logger = self._stdlib_logger = _library_logger(self.name)
        return logger

    def _bound_logger(self, config: Any) -> Any:
        """structlog's logger for this facade, bound once per structlog configuration.

        structlog's lazy proxy rebinds on every call unless loggers are
        cached forever (which breaks reconfiguration); binding once per
        configuration gets both.
        """
        key = _config_key(config)
        if key is None or key != self._bound_key:
            self._bound = self.logger.bind(logger=self.name)
            self._bound_key = key
        return self._bound

    def _dispatch(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        config = _structlog_config()
        if config is not None:
            if "event" in fields:  # structlog's own positional parameter
                fields["event_"] = fields.pop("event")
            if exc_info:
                fields["exc_info"] = True
            getattr(self._bound_logger(config), _LEVEL_NAMES[level])(event, **fields)
            return
        stdlib_logger = self._stdlib_logger or self._make_stdlib_logger()
        if stdlib_logger.isEnabledFor(level):
            shown, extra = _stdlib_fields(fields)
            stdlib_logger.log(
                level,
                _render_stdlib(event, shown),
                exc_info=exc_info,
                extra=extra,
                stacklevel=4,  # _dispatch <- _emit <- info() <- the library's line
            )

    def __repr__(self) -> str:
        return f"LoggingFacade({self.name!r})"


def _library_logger(name: str) -> logging.Logger:
    """The standard library logger for *name*, made silent unless configured.

    A ``NullHandler`` is what the logging HOWTO asks libraries to add: it
    stops Python's last-resort handler from printing warnings to stderr
    when the application configured no logging, and changes nothing when
    it did (records still propagate to the application's handlers).
    """
    import logging

    logger = logging.getLogger(name)
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return logger


def _stdlib_fields(fields: dict[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """Fields after redaction, and the record's ``extra``: the fields plus,
    inside a span, ``trace_id``/``span_id`` (unless a correlating record
    factory already adds them)."""
    from ._log_correlation import record_factory_correlates
    from .processors import current_trace_ids
    from .redaction import active_redactor

    redactor = active_redactor()
    shown = fields if redactor is None else redactor.redact(fields)
    extra: dict[str, Any] = {"event_fields": shown}
    if not record_factory_correlates():
        ids = current_trace_ids()
        if ids is not None:
            extra["trace_id"], extra["span_id"] = ids
    return shown, extra


def _render_stdlib(event: str, fields: Mapping[str, Any]) -> str:
    if not fields:
        return event
    rendered = " ".join(f"{key}={value!r}" for key, value in fields.items())
    return f"{event} {rendered}"
