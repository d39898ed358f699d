"""A standard library logging filter that stops repeated warnings from flooding.

OpenTelemetry logs a warning *per call* when, say, an attribute value has an
invalid type; in a request loop that is thousands of identical lines.  One
says enough.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["OncePerMessage"]


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
