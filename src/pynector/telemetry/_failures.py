"""Record an exception on a span, the one way every helper does it.

:func:`~pynector.telemetry.context.traced_async_operation`,
:func:`~pynector.telemetry.decorators.traced` and the generator wrappers
all end a failed span the same way: an exception event plus ERROR status,
worded as OpenTelemetry words it.
"""

from __future__ import annotations

from typing import Any

from . import HAS_OPENTELEMETRY
from ._status import status_classes

__all__ = ["error_status", "record_failure"]


def error_status(exc: BaseException, use_opentelemetry: bool = HAS_OPENTELEMETRY) -> Any:
    """Build an ERROR status describing *exc*, as OpenTelemetry itself words it.

    >>> error_status(ValueError("bad id"), use_opentelemetry=False).description
    'ValueError: bad id'
    """
    status, status_code = status_classes(use_opentelemetry)
    return status(status_code.ERROR, f"{type(exc).__name__}: {exc}")


def record_failure(
    span: Any, exc: BaseException, use_opentelemetry: bool = HAS_OPENTELEMETRY
) -> None:
    """Record *exc* on a recording *span* with ERROR status.

    Only ``Exception``s count, as in OpenTelemetry: cancellation and exit
    are not failures.  A broken span never masks the caller's exception.
    """
    if not isinstance(exc, Exception):
        return
    try:
        if span.is_recording():
            span.record_exception(exc)
            span.set_status(error_status(exc, use_opentelemetry))
    except Exception:
        pass
