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
from typing import Any, TypeVar

from . import HAS_OPENTELEMETRY
from ._warnings import warn_once

__all__ = ["extract_context", "inject_context"]

_Headers = TypeVar("_Headers", bound=MutableMapping[str, str])


def inject_context(headers: _Headers) -> _Headers:
    """Write the current trace context into *headers* and return the same mapping.

    Nothing is written outside a span, or without OpenTelemetry.  Never
    raises: headers that cannot be written to (``None``, a read-only
    mapping) are returned unchanged, with one warning.
    """
    if HAS_OPENTELEMETRY:
        try:
            _import_propagate().inject(headers)
        except Exception:
            warn_once(
                "inject-failed",
                f"inject_context could not write trace context into a {type(headers).__name__}; "
                "pass a mutable mapping such as a dict. The headers were left as they were.",
            )
    return headers


def _text(value: object) -> str | None:
    """A header name or value as text: ``str`` as is, ``bytes`` (ASGI) as Latin-1."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return None


def _carrier(headers: object) -> dict[str, Any]:
    """*headers* as OpenTelemetry's default getter expects them: lower-case
    ``str`` names, ``str`` values (or lists of them for repeated headers).

    Takes any mapping or ``items()``-bearing object (``dict``, ``http.client``
    and framework header objects) and iterables of ``(name, value)`` pairs
    (ASGI's ``scope["headers"]``); what is neither text nor bytes is skipped.
    """
    items = getattr(headers, "items", None)
    pairs: Any = items() if callable(items) else headers
    carrier: dict[str, Any] = {}
    for pair in pairs:
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            continue
        key, value = pair
        name = _text(key)
        if name is None:
            continue
        if isinstance(value, (list, tuple)):
            texts = [text for text in map(_text, value) if text is not None]
            if texts:
                carrier[name.lower()] = texts
        elif (text := _text(value)) is not None:
            carrier[name.lower()] = text
    return carrier


@contextmanager
def extract_context(headers: Mapping[str, str]) -> Iterator[None]:
    """Make the remote parent described by *headers* current inside the block.

    Header names are matched case-insensitively, as HTTP requires.  Headers
    without trace context leave the current context as it is, and so do
    headers that cannot be read (``None``, non-text names or values are
    skipped): this never raises into the block's caller.
    """
    if not HAS_OPENTELEMETRY:
        yield
        return
    from opentelemetry import context

    token = None
    try:
        remote = _import_propagate().extract(_carrier(headers))
        token = context.attach(remote)
    except Exception:
        warn_once(
            "extract-failed",
            f"extract_context could not read trace context from a {type(headers).__name__}; "
            "the block runs in the current context.",
        )
    try:
        yield
    finally:
        if token is not None:
            context.detach(token)


def _import_propagate() -> Any:
    from ._export.propagators import import_propagate

    return import_propagate()
