"""The structlog pipeline that :func:`~pynector.telemetry.configure_telemetry` installs.

Events carry the level, an ISO-8601 UTC timestamp, the facade's logger name,
any ``structlog.contextvars`` bindings and, inside a span, ``trace_id`` and
``span_id``.  They are written to stderr (stdout stays the application's)
as JSON, or as aligned text when stderr is a terminal;
``PYNECTOR_LOG_FORMAT=json|console`` overrides the choice.  With the
``console`` trace exporter on, events made inside a span are drawn in its
tree instead (see :mod:`.console_logs`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from .._export.environment import get_env_str, warn_malformed, warn_skipped
from .._levels import INFO, parse_level
from .._warnings import warn_once
from ..processors import add_trace_context
from ..redaction import active_redactor
from .console_logs import ConsoleLogTap, console_sink

__all__ = ["configure_structlog", "parse_log_level", "renderer_name"]


def parse_log_level(level: str | int) -> int:
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
    """Configure structlog for the application, unless it configured structlog itself.

    A configuration made by an earlier call is replaced.  Returns whether
    this call configured structlog.
    """
    import structlog

    global _installed_processors
    if structlog.is_configured() and not _is_ours(structlog.get_config()):
        warn_once(
            "structlog-configured",
            "structlog is already configured by the application; pynector leaves it "
            "as it is. Add pynector.telemetry.processors.add_trace_context to its "
            "processors to get trace_id and span_id in log lines.",
        )
        return False
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
    sink = console_sink()
    if sink is not None:
        extra.append(ConsoleLogTap(sink))  # after redaction: shows what would be written
    renderer: Any
    if renderer_name() == "json":
        renderer = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        renderer = [structlog.dev.ConsoleRenderer(colors=False)]
    _installed_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_context,
        *extra,
        structlog.processors.StackInfoRenderer(),
        *renderer,
    ]
    structlog.configure(
        processors=_installed_processors,
        wrapper_class=structlog.make_filtering_bound_logger(parse_log_level(log_level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    return True
