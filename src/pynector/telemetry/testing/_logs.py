"""Get the log records made during a capture, and put logging back afterwards.

Two taps, both removed when the capture ends:

* **structlog** (what pynector's ``log.info(...)`` goes through once
  structlog is configured).  Not configured yet: the capture configures it
  with a processor that records each event and drops it, so nothing is
  printed; afterwards structlog is unconfigured again.  Configured by the
  application: the recording processor is put first in its processor list
  (so it sees the fields as the code passed them, before redaction or
  rendering) and the application's own output continues; the original list
  is restored afterwards.  Either way a capture sees what the configured
  level lets through (everything, when the capture configured structlog).
* **the standard library**: a handler on the root logger records what
  reaches it; the levels stay the application's (as with pytest's
  ``caplog``).  Records that structlog itself hands to the standard library
  (``ProcessorFormatter``) are not recorded twice.  Without structlog,
  pynector's log calls go to the standard library, so they are recorded
  here (with their fields), at the levels the application lets through.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .._dependencies import STRUCTLOG, is_importable

if TYPE_CHECKING:
    from ._capture import TelemetryCapture

__all__ = ["log_taps"]

_LEVEL_NAMES = {
    "warn": "warning",
    "exception": "error",
    "fatal": "critical",
    "msg": "info",
    "log": "info",
}
_NOT_FIELDS = frozenset({"event", "logger", "exc_info"})


def _exception_text(exc_info: Any) -> str | None:
    import sys

    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        return f"{type(exc_info).__name__}: {exc_info}"
    if isinstance(exc_info, tuple) and len(exc_info) == 3 and exc_info[1] is not None:
        return f"{exc_info[0].__name__}: {exc_info[1]}"
    return None


class _StructlogRecorder:
    """structlog processor: record the event; drop it when the capture owns structlog."""

    def __init__(self, capture: TelemetryCapture, drop: bool) -> None:
        self.capture = capture
        self.drop = drop

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        import structlog

        fields = {**structlog.contextvars.get_contextvars(), **event_dict}
        level = _LEVEL_NAMES.get(method_name, method_name)
        self.capture.log(
            level,
            str(fields.get("event", "")),
            fields.get("logger"),
            {key: value for key, value in fields.items() if key not in _NOT_FIELDS},
            _exception_text(fields.get("exc_info")),
        )
        if self.drop:
            raise structlog.DropEvent
        return event_dict


@contextmanager
def _structlog_tap(capture: TelemetryCapture) -> Iterator[None]:
    import structlog

    configured = structlog.is_configured()
    previous = structlog.get_config()["processors"]
    if configured:
        recorder = _StructlogRecorder(capture, drop=False)
        processors: list[Any] = [recorder, *previous]
        structlog.configure(processors=processors)
    else:
        recorder = _StructlogRecorder(capture, drop=True)
        processors = [recorder]
        structlog.configure(processors=processors, logger_factory=structlog.ReturnLoggerFactory())
    try:
        yield
    finally:
        # Put back only what is still ours: a test that reconfigured structlog keeps its own.
        if structlog.get_config()["processors"] is processors:
            if configured:
                structlog.configure(processors=previous)
            else:
                structlog.reset_defaults()


class _RecordingHandler(logging.Handler):
    def __init__(self, capture: TelemetryCapture) -> None:
        super().__init__(logging.NOTSET)
        self.capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict) or hasattr(record, "_logger"):
            return  # structlog's own event, passed on to the standard library
        fields = getattr(record, "event_fields", None)
        event = getattr(record, "event", None)  # a facade event on the stdlib route
        try:
            message = event if isinstance(event, str) else record.getMessage()
        except Exception:
            message = str(record.msg)
        self.capture.log(
            record.levelname.lower(),
            message,
            record.name,
            dict(fields) if isinstance(fields, dict) else {},
            _exception_text(record.exc_info),
        )


@contextmanager
def log_taps(capture: TelemetryCapture, *, stdlib: bool = True) -> Iterator[None]:
    """Record *capture*'s logs for the duration; note why pynector's are missing if so."""
    handler = _RecordingHandler(capture) if stdlib else None
    root = logging.getLogger()
    if handler is not None:
        root.addHandler(handler)
    try:
        if is_importable(STRUCTLOG):
            with _structlog_tap(capture):
                yield
        else:
            capture.logs_unavailable = (
                "below the standard library's levels: structlog is not installed, so "
                "they go to the standard library logger of their name, whose level "
                "decides (WARNING by default)"
                if stdlib
                else "structlog is not installed, so they go to the standard library, "
                "which this capture does not record (stdlib=False)"
            )
            yield
    finally:
        if handler is not None:
            root.removeHandler(handler)
