"""A logger that does nothing, as fast as a method call can be.

:class:`NoOpLogger` is what :class:`~pynector.telemetry.facade.LoggingFacade`
uses when structlog is not installed.  Its methods take the same arguments
as structlog's and return at once: no formatting, no allocation that
outlives the call.

>>> NoOpLogger("mylib").info("cache miss", key="user:1")
"""

from __future__ import annotations

TYPE_CHECKING = False  # a hot-path module: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from typing import Any

__all__ = ["NoOpLogger"]


class NoOpLogger:
    """Accepts structlog-style calls (``log.info("event", key=value)``) and drops them."""

    __slots__ = ("name",)

    def __init__(self, name: str = "") -> None:
        self.name = name

    def debug(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def info(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def warning(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def error(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def critical(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def exception(self, event: str | None = None, /, *args: Any, **fields: Any) -> None:
        return None

    def bind(self, **fields: Any) -> NoOpLogger:
        return self

    def __repr__(self) -> str:
        return f"NoOpLogger({self.name!r})"
