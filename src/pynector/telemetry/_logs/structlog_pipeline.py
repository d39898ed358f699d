"""The one logging pipeline :func:`~pynector.telemetry.configure_telemetry` installs.

It is the set-up structlog's documentation recommends for running
alongside the standard library's ``logging``: structlog hands its events
to standard library loggers (``structlog.stdlib.LoggerFactory``), and a
``structlog.stdlib.ProcessorFormatter`` on the root logger's handler runs
the same processors over records that did not come from structlog
(``foreign_pre_chain``).  So library events, the application's structlog
events and every stdlib record (httpx, the application's own loggers)
get the same level name, ISO-8601 UTC timestamp, logger name, fields
(``extra=`` included), ``structlog.contextvars`` bindings, ``trace_id``
and ``span_id`` inside a span, and redaction, and they go to the same
handlers.

Our handler writes to stderr (stdout stays the application's) as JSON, or
as aligned text when stderr is a terminal; ``PYNECTOR_LOG_FORMAT=json|console``
overrides the choice.  Handlers the application installed keep their own
formatters; to them a structlog event reads ``event key='value' ...``
(see :class:`LoggedEvent`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from .._export.environment import get_env_str, warn_malformed, warn_skipped
from .._levels import INFO, parse_level
from .._warnings import warn_once
from ..processors import add_trace_context
from ..redaction import active_redactor
from .stdlib_pipeline import configure_root_logger

__all__ = ["configure_structlog", "parse_log_level", "renderer_name"]


def parse_log_level(level: object) -> int:
    """A level name (any case) or number as a number; INFO with a warning if unknown."""
    number = parse_level(level)
    if number is None:
        warn_malformed("log_level", level, "one of DEBUG, INFO, WARNING, ERROR, CRITICAL", "INFO")
        return INFO
    return number


def renderer_name() -> str:
    """``json`` or ``console``: ``PYNECTOR_LOG_FORMAT``, else by whether stderr is a terminal."""
    value = get_env_str("PYNECTOR_LOG_FORMAT")
    if value is not None:
        if value.lower() in ("json", "console"):
            return value.lower()
        warn_malformed("PYNECTOR_LOG_FORMAT", value, "json or console", "auto")
    return "console" if sys.stderr.isatty() else "json"


# The processor list this module installed last, to tell our configuration
# (which a later configure_telemetry call may replace) from the application's.
_installed_processors: list[Any] | None = None


def _is_ours(config: dict[str, Any]) -> bool:
    return _installed_processors is not None and config["processors"] is _installed_processors


def configure_structlog(log_level: str | int, processors: Sequence[Any] | None) -> bool:
    """Set up the one pipeline, unless the application configured structlog itself.

    A configuration made by an earlier call is replaced.  Returns whether
    this call configured structlog.
    """
    import structlog

    from .stdlib_bridge import SafeProcessorFormatter, add_record_fields, to_stdlib

    global _installed_processors
    if structlog.is_configured() and not _is_ours(structlog.get_config()):
        warn_once(
            "structlog-configured",
            "structlog is already configured by the application; pynector leaves it "
            "and the logging handlers as they are. Add "
            "pynector.telemetry.processors.add_trace_context to its processors to get "
            "trace_id and span_id in log lines.",
        )
        return False
    level = parse_log_level(log_level)
    shared = _shared_processors(processors)
    _installed_processors = [*shared, to_stdlib]
    structlog.configure(
        processors=_installed_processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stdlib_logger_factory(),
        cache_logger_on_first_use=False,
    )
    foreign = [add_record_fields, *shared]  # fields first, so that they are redacted
    configure_root_logger(
        level, SafeProcessorFormatter(foreign_pre_chain=foreign, processors=_renderers())
    )
    return True


def _shared_processors(processors: Sequence[Any] | None) -> list[Any]:
    """What every event and record goes through, in order, before rendering."""
    import structlog

    from .stdlib_bridge import add_logger_name

    extra: list[Any] = []
    for processor in processors or ():
        if callable(processor):
            extra.append(processor)
        else:
            warn_skipped(
                "log_processors", processor, "a callable processor(logger, method_name, event_dict)"
            )
    redactor = active_redactor()
    if redactor is not None:
        extra.append(redactor)  # last before rendering: sees every field
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_logger_name,
        add_trace_context,
        *extra,
        structlog.processors.StackInfoRenderer(),
    ]


def _renderers() -> list[Any]:
    import structlog

    meta = structlog.stdlib.ProcessorFormatter.remove_processors_meta
    if renderer_name() == "json":
        return [meta, structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    return [meta, structlog.dev.ConsoleRenderer(colors=False)]


def _stdlib_logger_factory() -> Any:
    """structlog's ``LoggerFactory``, without losing a logger class the application set.

    The factory installs structlog's logger class (it finds the caller's
    line past structlog's frames) process-wide; an application's own class
    is put back.
    """
    import structlog

    previous = logging.getLoggerClass()
    factory = structlog.stdlib.LoggerFactory()
    if previous is not logging.Logger:
        logging.setLoggerClass(previous)
    return factory
