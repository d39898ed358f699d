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
from collections.abc import MutableMapping, Sequence
from typing import Any

from .._export.environment import get_env_str, warn_malformed, warn_skipped
from .._levels import CRITICAL, INFO, parse_level
from .._warnings import warn_once
from ..processors import add_trace_context
from ..redaction import active_redactor
from .stdlib_pipeline import configure_root_logger

__all__ = ["configure_structlog", "foreign_chain", "parse_log_level", "renderer_name"]


def parse_log_level(level: object) -> int:
    """A level name (any case) or number (an application's own level, 15,
    say) as a number; INFO with a warning if it is neither."""
    number = parse_level(level)
    if number is None or number < 0:
        warn_malformed(
            "log_level",
            level,
            "one of DEBUG, INFO, WARNING, ERROR, CRITICAL, or a number from 0",
            "INFO",
        )
        return INFO
    return number


def _filtering_level(level: int) -> int:
    """The level structlog's filtering logger filters at: the nearest of its
    own (0, 10... 50) at or below *level*; the root logger's level, *level*
    itself, filters the rest."""
    return min(level // 10 * 10, CRITICAL)


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
# What records that did not come from structlog go through, in our configuration.
_installed_foreign: list[Any] | None = None


def _is_ours(config: dict[str, Any]) -> bool:
    return _installed_processors is not None and config["processors"] is _installed_processors


# The last processor list looked at and whether it redacts (a list is
# replaced, not changed, when structlog is reconfigured).
_last_checked: tuple[object, bool] = (None, False)


def pipeline_redacts(processors: object) -> bool:
    """Whether the structlog pipeline *processors* redacts every event itself.

    True for the pipeline this module installed (also when something, such
    as a test capture, put processors in front of it) and for an
    application's pipeline with :func:`~pynector.telemetry.processors.redact_secrets`.
    """
    global _last_checked
    checked, answer = _last_checked
    if processors is checked:
        return answer
    from ..processors import redact_secrets
    from ..redaction import Redactor

    try:
        answer = any(
            processor is redact_secrets or isinstance(processor, Redactor)
            for processor in processors  # type: ignore[attr-defined]
        )
    except TypeError:
        answer = False
    _last_checked = (processors, answer)
    return answer


def configure_structlog(log_level: str | int, processors: Sequence[Any] | None) -> bool:
    """Set up the one pipeline, unless the application configured structlog itself.

    A configuration made by an earlier call is replaced.  Returns whether
    this call configured structlog.
    """
    import structlog

    from .stdlib_bridge import SafeProcessorFormatter, add_record_fields, to_stdlib

    global _installed_processors, _installed_foreign
    if structlog.is_configured() and not _is_ours(structlog.get_config()):
        warn_once(
            "structlog-configured",
            "structlog is already configured by the application; pynector leaves it "
            "and the logging handlers as they are. Add "
            "pynector.telemetry.processors.add_trace_context to its processors to get "
            "trace_id and span_id in log lines, and "
            "pynector.telemetry.processors.redact_secrets (after format_exc_info, "
            "just before the renderer) to keep secrets out of them.",
        )
        return False
    level = parse_log_level(log_level)
    shared = _shared_processors(processors)
    _installed_processors = [*shared, to_stdlib]
    structlog.configure(
        processors=_installed_processors,
        wrapper_class=structlog.make_filtering_bound_logger(_filtering_level(level)),
        logger_factory=_stdlib_logger_factory(),
        cache_logger_on_first_use=False,
    )
    foreign = [add_record_fields, *shared]  # fields first, so that they are redacted
    _installed_foreign = foreign
    configure_root_logger(
        level, SafeProcessorFormatter(foreign_pre_chain=foreign, processors=_renderers())
    )
    return True


def foreign_chain() -> list[Any] | None:
    """The processors our pipeline runs over a standard library record that did
    not come from structlog, or ``None`` when structlog is not configured by us.

    Handlers other than the formatter's (the OTLP export's) run the same
    ones, so that every handler sees the same fields, redacted the same way.
    """
    if _installed_foreign is None:  # never configured here (or no structlog at all)
        return None
    import structlog

    return _installed_foreign if _is_ours(structlog.get_config()) else None


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
    """Exceptions are formatted as plain text (never with local variables,
    which may hold secrets) and redacted, then the line is rendered."""
    import structlog

    meta = structlog.stdlib.ProcessorFormatter.remove_processors_meta
    exceptions = [structlog.processors.format_exc_info, redact_exception_text]
    if renderer_name() == "json":
        return [meta, *exceptions, structlog.processors.JSONRenderer()]
    console = structlog.dev.ConsoleRenderer(
        colors=False, exception_formatter=structlog.dev.plain_traceback
    )
    return [meta, *exceptions, console]


def redact_exception_text(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Redact the formatted exception and stack (the other fields already were)."""
    redactor = active_redactor()
    if redactor is not None:
        for key in ("exception", "stack"):
            text = event_dict.get(key)
            if isinstance(text, str):
                event_dict[key] = redactor.redact_text(text)
    return event_dict


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
