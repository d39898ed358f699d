"""Hand log lines made inside a span to the console tree, so they appear under it.

When the ``console`` exporter is on, :func:`~pynector.telemetry.configure_telemetry`
registers the tree's :meth:`accept_log` as the *console sink*, and two taps
feed it:

* :class:`ConsoleLogTap`, a structlog processor placed last before
  rendering in the pipeline ``configure_telemetry`` installs (after
  redaction, so the tree shows what a log line would): an event made inside
  a span the tree holds goes to the tree *instead of* being written as a
  separate line, so it is not printed twice;
* :func:`install_console_record_tap`, a log record factory: a standard
  library record made inside such a span, at a level its logger lets
  through, is also drawn in the tree.  The record still goes to the
  application's handlers as usual: pynector never takes records away from
  them.

Outside a span, or with no console tree, both taps change nothing.  The
sink is a plain callable so that this package need not import the export
pipeline.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any, Protocol

__all__ = [
    "ConsoleLogTap",
    "ConsoleSink",
    "console_sink",
    "install_console_record_tap",
    "set_console_sink",
]


class ConsoleSink(Protocol):
    """Takes one log line for the tree; ``False`` when no span of the tree is current."""

    def __call__(
        self,
        level: str,
        event: str,
        fields: Mapping[str, Any],
        exception: tuple[str, str, str] | None = None,
        time_ns: int | None = None,
    ) -> bool: ...


_sink: ConsoleSink | None = None

# Keys structlog's pipeline adds that the tree shows in its own columns, or not at all.
_NOT_FIELDS = frozenset(
    {"event", "level", "timestamp", "logger", "trace_id", "span_id", "exc_info", "stack_info"}
)
_MARKER = "_pynector_console_tap"


def set_console_sink(sink: ConsoleSink | None) -> None:
    """Register the console tree's ``accept_log`` (``None``: no console tree)."""
    global _sink
    _sink = sink


def console_sink() -> ConsoleSink | None:
    """The registered console sink, if a console tree is on."""
    return _sink


def _exception_text(exc_info: Any) -> tuple[str, str, str] | None:
    """``exc_info`` as structlog or logging carry it -> (type, message, traceback)."""
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or exc_info[1] is None:
        return None
    kind, value, tb = exc_info
    return kind.__qualname__, str(value), "".join(traceback.format_exception(kind, value, tb))


class ConsoleLogTap:
    """structlog processor: events inside a span of the console tree go to the tree."""

    def __init__(self, sink: ConsoleSink) -> None:
        self.sink = sink

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        level = str(event_dict.get("level", method_name))
        fields = {key: value for key, value in event_dict.items() if key not in _NOT_FIELDS}
        exception = _exception_text(event_dict.get("exc_info"))
        if self.sink(level, str(event_dict.get("event", "")), fields, exception):
            import structlog

            raise structlog.DropEvent
        return event_dict


def install_console_record_tap() -> None:
    """Chain a factory that shows stdlib records made inside a span in the tree (once)."""
    if getattr(logging.getLogRecordFactory(), _MARKER, False):
        return
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

    def console_tapping_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        sink = _sink
        if sink is not None:
            # A log call never fails because of the console.
            with contextlib.suppress(Exception):
                sink(
                    record.levelname,
                    record.getMessage(),
                    {},
                    _exception_text(record.exc_info),
                    int(record.created * 1_000_000_000),
                )
        return record

    setattr(console_tapping_factory, _MARKER, True)
    logging.setLogRecordFactory(console_tapping_factory)
