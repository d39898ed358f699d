"""Record an exception on a span, the one way every helper does it.

:func:`~pynector.telemetry.context.traced_async_operation`,
:func:`~pynector.telemetry.decorators.traced` and the generator wrappers
all end a failed span the same way: an exception event plus ERROR status,
worded as OpenTelemetry words it.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from . import HAS_OPENTELEMETRY
from ._attributes import safe_repr
from ._status import status_classes

__all__ = ["error_status", "record_failure"]


def error_status(exc: BaseException, use_opentelemetry: bool = HAS_OPENTELEMETRY) -> Any:
    """Build an ERROR status describing *exc*, as OpenTelemetry itself words it.

    >>> error_status(ValueError("bad id"), use_opentelemetry=False).description
    'ValueError: bad id'
    """
    status, status_code = status_classes(use_opentelemetry)
    return status(status_code.ERROR, f"{type(exc).__name__}: {safe_repr(exc)}")


def record_failure(
    span: Any, exc: BaseException, use_opentelemetry: bool = HAS_OPENTELEMETRY
) -> None:
    """Record *exc* on a recording *span* with ERROR status.

    Only ``Exception``s count, as in OpenTelemetry: cancellation and exit
    are not failures.  A broken span, or an exception whose ``__str__``
    raises, never masks the caller's exception: it still gets its event
    (with a placeholder message) and its status.
    """
    if not isinstance(exc, Exception):
        return
    status = None
    try:
        if not span.is_recording():
            return
        from .redaction import boundary_failure

        status = error_status(exc, use_opentelemetry)
        attributes, description = boundary_failure(exc, status.description)
        if attributes is None:
            span.record_exception(exc)
        else:  # redacted here: the provider may not be pynector's
            status = type(status)(status.status_code, description)
            span.record_exception(exc, attributes=attributes)
    except Exception:
        _add_exception_event(span, exc)
    with suppress(Exception):
        span.set_status(status if status is not None else error_status(exc, use_opentelemetry))


def _add_exception_event(span: Any, exc: BaseException) -> None:
    """The event ``record_exception`` makes, for an exception it could not describe."""
    import traceback

    from .redaction import boundary_text

    kind = type(exc)
    with suppress(Exception):
        span.add_event(
            "exception",
            {
                "exception.type": kind.__qualname__
                if kind.__module__ in ("builtins", None)
                else f"{kind.__module__}.{kind.__qualname__}",
                "exception.message": boundary_text(safe_repr(exc)),
                "exception.stacktrace": boundary_text("".join(traceback.format_exception(exc))),
                "exception.escaped": "False",
            },
        )
