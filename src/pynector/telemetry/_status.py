"""Span status values that exist whether or not OpenTelemetry is installed.

With OpenTelemetry installed, ``pynector.telemetry.Status`` and
``StatusCode`` *are* OpenTelemetry's classes, so a status made by library
code can be handed to a real span.  Without it, these small stand-ins keep
the same names and fields, so the same library code runs unchanged.  Type
checkers see OpenTelemetry's classes either way.

>>> Status, StatusCode = status_classes(use_opentelemetry=False)
>>> Status(StatusCode.ERROR, "boom").status_code is StatusCode.ERROR
True
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from . import HAS_OPENTELEMETRY

if TYPE_CHECKING:
    from opentelemetry.trace import Status, StatusCode

__all__ = ["FallbackStatus", "FallbackStatusCode", "Status", "StatusCode", "status_classes"]


class FallbackStatusCode(enum.Enum):
    """Mirror of ``opentelemetry.trace.StatusCode`` (same names, same values)."""

    UNSET = 0
    OK = 1
    ERROR = 2


class FallbackStatus:
    """Mirror of ``opentelemetry.trace.Status`` for when OpenTelemetry is absent.

    >>> FallbackStatus(FallbackStatusCode.ERROR, "boom").is_ok
    False
    """

    __slots__ = ("description", "status_code")

    def __init__(
        self,
        status_code: FallbackStatusCode = FallbackStatusCode.UNSET,
        description: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.description = description

    @property
    def is_ok(self) -> bool:
        return self.status_code is FallbackStatusCode.OK

    @property
    def is_unset(self) -> bool:
        return self.status_code is FallbackStatusCode.UNSET

    def __repr__(self) -> str:
        return f"Status({self.status_code}, {self.description!r})"


def status_classes(use_opentelemetry: bool = HAS_OPENTELEMETRY) -> tuple[Any, Any]:
    """Return ``(Status, StatusCode)``: OpenTelemetry's when usable, else the fallbacks."""
    if use_opentelemetry:
        try:
            from opentelemetry.trace import Status, StatusCode
        except ImportError:
            pass
        else:
            return Status, StatusCode
    return FallbackStatus, FallbackStatusCode
