"""Carry the current trace across processes in headers (W3C Trace Context).

On the calling side, write the current context into outgoing headers; on
the receiving side, make the caller's span the parent of what happens next:

::

    headers = inject_context({})              # {"traceparent": "00-…", …}
    response = client.get(url, headers=headers)

    with extract_context(request.headers):
        with tracer.start_as_current_span("handle"):   # a child of the caller's span
            ...

Which headers are written follows ``OTEL_PROPAGATORS`` (default
``tracecontext,baggage``).  Without OpenTelemetry both are no-ops: headers
are returned unchanged and the block runs as is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import TypeVar

from . import HAS_OPENTELEMETRY

__all__ = ["extract_context", "inject_context"]

_Headers = TypeVar("_Headers", bound=MutableMapping[str, str])


def inject_context(headers: _Headers) -> _Headers:
    """Write the current trace context into *headers* and return the same mapping.

    Nothing is written outside a span, or without OpenTelemetry.
    """
    if HAS_OPENTELEMETRY:
        from opentelemetry import propagate

        propagate.inject(headers)
    return headers


@contextmanager
def extract_context(headers: Mapping[str, str]) -> Iterator[None]:
    """Make the remote parent described by *headers* current inside the block.

    Header names are matched case-insensitively, as HTTP requires.  Headers
    without trace context leave the current context as it is.
    """
    if not HAS_OPENTELEMETRY:
        yield
        return
    from opentelemetry import context, propagate

    lowered = {key.lower(): value for key, value in headers.items()}
    token = context.attach(propagate.extract(lowered))
    try:
        yield
    finally:
        context.detach(token)
