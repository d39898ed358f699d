"""Stamp standard library log records with the current trace and span ids.

After :func:`~pynector.telemetry.configure_telemetry`, *every* record made
inside a span, by any logger, carries ``record.trace_id`` and
``record.span_id`` (W3C hex), ready for a formatter such as
``"%(message)s trace_id=%(trace_id)s"`` or a JSON handler.  Outside a span
the attributes are absent, so formatters should use ``defaults=`` or a
filter.

It wraps the current log record factory rather than replacing it, so a
factory the application installed keeps working.
"""

from __future__ import annotations

import logging
from typing import Any

from ..processors import current_trace_ids

__all__ = ["install_record_factory", "record_factory_correlates"]

_MARKER = "_pynector_correlates"


def record_factory_correlates() -> bool:
    """Whether the installed record factory already adds trace ids."""
    return bool(getattr(logging.getLogRecordFactory(), _MARKER, False))


def install_record_factory() -> None:
    """Chain a trace-stamping factory in front of the current one (once)."""
    if record_factory_correlates():
        return
    previous = logging.getLogRecordFactory()

    def correlating_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        ids = current_trace_ids()
        if ids is not None:
            record.trace_id, record.span_id = ids
        return record

    setattr(correlating_factory, _MARKER, True)
    logging.setLogRecordFactory(correlating_factory)
