"""The standard library side of the one logging pipeline ``configure_telemetry`` sets up.

Every log record, whoever made it (a library through the facade, structlog,
the application's own loggers, httpx...), ends up as a standard library
record propagating to the root logger, so the root logger's handlers are
where all of them go.  ``configure_telemetry``:

* sets the root logger's level to ``log_level``, as ``logging.basicConfig``
  does: the one level both kinds of record obey;
* adds :class:`StderrHandler` with the pipeline's formatter only when the
  root logger has no handler at all, and gives an existing one of ours the
  new formatter when called again;
* never removes or changes a handler the application installed: those
  receive every record too, formatted their way.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from .console_logs import DRAWN

__all__ = ["StderrHandler", "configure_root_logger", "plain_formatter"]


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of each record.

    Like the standard library's last-resort handler, so that an application
    (or a test) that replaces ``sys.stderr`` after ``configure_telemetry``
    still gets the lines.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def filter(self, record: logging.LogRecord) -> bool:
        # A record the console tree drew under its span is not written twice.
        return not getattr(record, DRAWN, False) and bool(super().filter(record))

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always sys.stderr: see the class docstring


def plain_formatter() -> logging.Formatter:
    """The formatter used without structlog: one text line per record."""
    return logging.Formatter("%(asctime)s %(levelname)-8s %(name)s %(message)s")


def configure_root_logger(level: int, formatter: logging.Formatter) -> StderrHandler | None:
    """Set the root level; add our stderr handler unless the root logger has a handler.

    Returns our handler when one is in place (added now or by an earlier
    call), ``None`` when the application's handlers are the only ones.
    """
    root = logging.getLogger()
    root.setLevel(level)
    ours = next((h for h in root.handlers if isinstance(h, StderrHandler)), None)
    if ours is None and not root.handlers:
        ours = StderrHandler()
        root.addHandler(ours)
    if ours is not None:
        ours.setFormatter(formatter)
    return ours
