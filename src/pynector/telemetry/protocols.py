"""The shapes that telemetry objects share, real or no-op.

OpenTelemetry's spans and :class:`~pynector.telemetry.tracing.NoOpSpan`
both satisfy :class:`SpanLike`, so library code is typed once and runs
against either.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Protocol, TypeAlias, runtime_checkable

__all__ = ["Attributes", "SpanLike", "TracerLike"]

#: What callers may pass as attributes; odd values are coerced, never rejected.
Attributes: TypeAlias = Mapping[str, Any]


@runtime_checkable
class SpanLike(Protocol):
    """The span operations library code may rely on."""

    def set_attribute(self, key: str, value: Any) -> None: ...

    def set_attributes(self, attributes: Mapping[str, Any]) -> None: ...

    def add_event(
        self, name: str, attributes: Mapping[str, Any] | None = None, timestamp: int | None = None
    ) -> None: ...

    def record_exception(
        self,
        exception: BaseException,
        attributes: Mapping[str, Any] | None = None,
        timestamp: int | None = None,
        escaped: bool = False,
    ) -> None: ...

    def set_status(self, status: Any, description: str | None = None) -> None: ...

    def is_recording(self) -> bool: ...

    def end(self, end_time: int | None = None) -> None: ...


class TracerLike(Protocol):
    """What the :mod:`~pynector.telemetry.context` helpers need from a tracer."""

    def start_as_current_span(
        self, name: str, attributes: Attributes | None = None
    ) -> AbstractContextManager[SpanLike]: ...

    def start_as_current_async_span(
        self, name: str, attributes: Attributes | None = None
    ) -> AbstractAsyncContextManager[SpanLike]: ...
