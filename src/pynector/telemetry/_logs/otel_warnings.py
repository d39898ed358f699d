"""Cut OpenTelemetry's per-call warnings down to one line each.

OpenTelemetry logs a warning *per call* when, say, an attribute value has an
invalid type; in a request loop that is thousands of identical lines.  One
says enough: :func:`quiet_attribute_warnings` puts a :class:`OncePerMessage`
filter on OpenTelemetry's attribute logger.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["OncePerMessage", "quiet_attribute_warnings"]


class OncePerMessage(logging.Filter):
    """Pass the first record of each message template, drop the repeats."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[object] = set()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            if record.msg in self._seen:
                return False
            self._seen.add(record.msg)
            return True


def quiet_attribute_warnings() -> None:
    """Let OpenTelemetry's invalid-attribute warning through once per message, not per call."""
    logger = logging.getLogger("opentelemetry.attributes")
    if not any(isinstance(existing, OncePerMessage) for existing in logger.filters):
        logger.addFilter(OncePerMessage())
