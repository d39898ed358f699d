"""Where a library's log event goes: structlog when configured, else stdlib ``logging``.

:class:`~pynector.telemetry.facade.LoggingFacade` keeps the disabled path
cheap and hands every event that may be written to its :class:`LogRoute`,
which decides per event:

* structlog configured (by the application or by ``configure_telemetry``):
  the event goes through structlog's pipeline, with a logger bound once per
  structlog configuration;
* otherwise: the standard library logger of the facade's name, where the
  application's ``logging`` configuration decides.  The fields are
  rendered into the message (``event key='value'``), kept on the record
  as ``record.event_fields`` (and the bare event as ``record.event``),
  the record carries the ``otel*`` trace attributes of :mod:`.correlation`,
  and it points at the library's line, not at pynector.

Redaction happens at this boundary (event text and fields) unless the
event goes through a structlog pipeline that redacts it itself (the one
``configure_telemetry`` built, or one with ``redact_secrets``); an
application's own structlog pipeline or logging handlers never see a
library's secrets.

A field that cannot be rendered never loses the event: it is written again
with every field as text, and one warning says so.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import facade
from .._levels import METHOD_NAMES
from .._warnings import warn_once
from .correlation import add_trace_fields

if TYPE_CHECKING:
    from ..facade import LoggingFacade

__all__ = ["LogRoute", "library_logger", "structlog_configuration"]

# Frames between the library's log call and ``Logger.log``:
# _dispatch <- emit <- LoggingFacade._emit <- LoggingFacade.info <- the library.
_STACKLEVEL = 5


class _PublicConfiguration:
    """structlog's configured-ness through its public API.

    Used when structlog's internal configuration object is not the one we
    know (another structlog version): slower, never wrong.
    """

    __slots__ = ()

    @property
    def is_configured(self) -> bool:
        structlog_module = sys.modules.get("structlog")
        return structlog_module is not None and bool(structlog_module.is_configured())


def structlog_configuration() -> Any:
    """The object structlog updates in place on ``configure``/``reset_defaults``.

    Its ``is_configured`` is one attribute read, cheap enough for the
    facade's disabled path; with an unknown structlog it is
    :class:`_PublicConfiguration`.  Call only once structlog is imported.
    Always truthy (the facade tests it for "found yet").
    """
    config = getattr(sys.modules.get("structlog._config"), "_CONFIG", None)
    if isinstance(getattr(config, "is_configured", None), bool) and hasattr(
        config, "default_processors"
    ):
        return config
    return _PublicConfiguration()


def _structlog_config() -> Any:
    """structlog's live configuration when the application configured it, else ``None``.

    Without an import of structlog, nobody can have configured it.
    """
    if "structlog._config" not in sys.modules:
        return None
    config = facade._structlog
    if config is None:  # found once, then read by the facade's disabled path too
        config = facade._structlog = structlog_configuration()
    return config if config.is_configured else None


def _config_key(config: Any) -> tuple[Any, ...] | None:
    """What a bound logger depends on; ``None`` when it cannot be known."""
    if isinstance(config, _PublicConfiguration):
        return None
    return (
        config.default_processors,
        config.logger_factory,
        config.default_wrapper_class,
        config.default_context_class,
    )


def _level_cache(logger: logging.Logger) -> Mapping[int, bool]:
    """The logger's own ``level -> enabled`` cache, if the facade may read it.

    ``Logger.isEnabledFor`` fills that dictionary, and ``setLevel``,
    ``logging.disable`` and friends clear it in place, so a cached
    ``False`` is never stale.  A logger class with its own
    ``isEnabledFor`` gets an empty dictionary: every call then asks the
    logger.
    """
    cache = getattr(logger, "_cache", None)
    if type(logger).isEnabledFor is logging.Logger.isEnabledFor and isinstance(cache, dict):
        return cache
    return {}


def library_logger(name: str) -> logging.Logger:
    """The standard library logger for *name*, made silent unless configured.

    A ``NullHandler`` is what the logging HOWTO asks libraries to add: it
    stops Python's last-resort handler from printing warnings to stderr
    when the application configured no logging, and changes nothing when
    it did (records still propagate to the application's handlers).

    >>> library_logger("mylib").handlers
    [<NullHandler (NOTSET)>]
    """
    logger = logging.getLogger(name)
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return logger


class LogRoute:
    """The routing state of one :class:`~pynector.telemetry.facade.LoggingFacade`."""

    __slots__ = ("_bound", "_bound_key", "_facade", "level_cache", "stdlib_logger")

    def __init__(self, facade: LoggingFacade) -> None:
        self._facade = facade
        name = facade.name
        if not isinstance(name, str):  # logging takes nothing else
            from .._attributes import safe_repr

            name = safe_repr(name)
        self.stdlib_logger = library_logger(name)
        # Its records carry the otel* trace attributes whatever the record
        # factory: added after the record is made, they cannot collide.
        add_trace_fields(self.stdlib_logger)
        self.level_cache = _level_cache(self.stdlib_logger)
        self._bound: Any = None
        self._bound_key: tuple[Any, ...] | None = None

    def emit(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        """Write one event; never raises."""
        try:
            self._dispatch(level, event, fields, exc_info)
        except Exception as error:
            from .._attributes import safe_repr

            problem: Exception = error
            # Most failures come from a field that cannot be rendered (a repr
            # that raises, a structure that contains itself); keep the event
            # with every field turned into a string rather than lose it.
            try:
                plain = {key: safe_repr(value) for key, value in fields.items()}
                self._dispatch(level, safe_repr(event), plain, exc_info)
            except Exception as second_error:
                problem = second_error
            warn_once(
                "log-failed",
                "A log event could not be written as given "
                f"({type(problem).__name__}: {safe_repr(problem)[:200]}); "
                "its fields were converted to strings. "
                "This warning is shown once per process.",
            )

    def _bound_logger(self, config: Any) -> Any:
        """structlog's logger for this facade, bound once per structlog configuration.

        structlog's lazy proxy rebinds on every call unless loggers are
        cached forever (which breaks reconfiguration); binding once per
        configuration gets both.
        """
        key = _config_key(config)
        if key is None or key != self._bound_key:
            self._bound = self._facade.logger.bind(logger=self._facade.name)
            self._bound_key = key
        return self._bound

    def _dispatch(self, level: int, event: str, fields: dict[str, Any], exc_info: bool) -> None:
        config = _structlog_config()
        if config is not None:
            if "event" in fields:  # structlog's own positional parameter
                fields["event_"] = fields.pop("event")
            if not _pipeline_redacts(config):  # the application's pipeline
                event, fields = _redacted(event, fields)
            if exc_info:
                fields["exc_info"] = True
            getattr(self._bound_logger(config), METHOD_NAMES[level])(event, **fields)
            return
        if self.stdlib_logger.isEnabledFor(level):
            event, fields = _redacted(event, fields)
            shown, extra = _stdlib_fields(fields)
            extra["event"] = event  # the event without its rendered fields
            self.stdlib_logger.log(
                level,
                _render_stdlib(event, shown),
                exc_info=exc_info,
                extra=extra,
                stacklevel=_STACKLEVEL,
            )


def _pipeline_redacts(config: Any) -> bool:
    """Whether the structlog pipeline *config* redacts every event itself."""
    from .structlog_pipeline import pipeline_redacts

    if isinstance(config, _PublicConfiguration):  # an unknown structlog: redact here
        return False
    return pipeline_redacts(config.default_processors)


def _redacted(event: str, fields: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The event and fields redacted at pynector's boundary (unless redaction is off)."""
    from ..redaction import active_redactor

    redactor = active_redactor()
    if redactor is None:
        return event, fields
    # A non-string event (a library's mistake) is judged by its repr, and
    # left as it is when that fails: the route still writes it somehow.
    shown = redactor.redact_text(event) if type(event) is str else redactor.redact_value(event)
    return shown, dict(redactor.redact(fields))


def _stdlib_fields(fields: dict[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """The fields (already redacted), and the record's ``extra`` (they as ``event_fields``)."""
    return fields, {"event_fields": fields}


def _render_stdlib(event: str, fields: Mapping[str, Any]) -> str:
    if type(event) is not str:  # the record's message must print later, in a handler
        from .._attributes import safe_repr

        event = safe_repr(event)
    if not fields:
        return event
    rendered = " ".join(f"{key}={value!r}" for key, value in fields.items())
    return f"{event} {rendered}"
