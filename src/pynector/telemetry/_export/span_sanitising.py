"""Make ended spans safe to encode, and pack them into requests a collector accepts.

One value can sink a whole batch: protobuf refuses to encode a string that
holds a lone surrogate (``"\\udcff"``, which Python makes when it decodes
invalid bytes with ``surrogateescape``), OTLP integers are 64-bit, and a
gRPC collector refuses a request over 4 MiB, so a single 10 MB attribute
loses the 511 spans batched with it.  :func:`sanitise_span` returns the
span itself when all is well, else a copy in which:

* lone surrogates in names, keys and string values become U+FFFD;
* integers outside the signed 64-bit range become their decimal text;
* string values (each string, in a sequence) are cut to the attribute
  value length limit (``OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT``, else
  ``OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT``), and so are span and event names
  and the status description, which bound a span's size just as much.

The default limit (:data:`~.settings.DEFAULT_VALUE_LENGTH_LIMIT`, 4,096
characters) keeps a span with the SDK's default 128 attributes under 2 MiB
even if every value is at the limit and 4 bytes per character;
:func:`pack` then groups spans
into requests of at most :data:`MAX_REQUEST_BYTES` (estimated), so a batch
never crosses gRPC's 4 MiB.  Anything these rules do not foresee is caught
by splitting the batch (see :func:`~.delivery.send_in_parts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from opentelemetry.sdk.trace import Event
from opentelemetry.trace import Link
from opentelemetry.trace.status import Status

from .._otlp_values import clean_int, clean_text
from .span_copy import CopiedSpan

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = [
    "MAX_REQUEST_BYTES",
    "clean_text",
    "pack",
    "sanitise_span",
]

#: gRPC's default message limit is 4 MiB; the rest is room for the resource
#: and for the estimate's error.
MAX_REQUEST_BYTES = 3 * 1024 * 1024

_SPAN_OVERHEAD = 96  # ids, times, kind, status, framing: generous
_ITEM_OVERHEAD = 16  # per attribute, event or link
_NUMBER_SIZE = 10


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _clean_value(value: object, limit: int | None) -> tuple[object, int]:
    """The value to export and its estimated encoded size."""
    if isinstance(value, str):
        text = clean_text(value, limit)
        return text, _size(text)
    if isinstance(value, bool | float):
        return value, _NUMBER_SIZE
    if isinstance(value, int):
        number = clean_int(value, limit)
        return number, _NUMBER_SIZE if isinstance(number, int) else _size(number)
    if isinstance(value, list | tuple):
        cleaned = [_clean_value(item, limit) for item in value]
        size = sum(item_size for _, item_size in cleaned) + _ITEM_OVERHEAD
        if all(new is old for (new, _), old in zip(cleaned, value, strict=True)):
            return value, size
        return tuple(new for new, _ in cleaned), size
    return value, _ITEM_OVERHEAD  # not ours to fix; a batch that fails is split


def _clean_attributes(attributes: Any, limit: int | None) -> tuple[Any, int]:
    """*attributes*, or a cleaned copy, and their estimated encoded size."""
    if not attributes:
        return attributes, 0
    cleaned: dict[object, object] = {}
    changed = False
    size = 0
    for key, value in attributes.items():
        new_key = clean_text(key, None) if isinstance(key, str) else key
        new_value, value_size = _clean_value(value, limit)
        changed = changed or new_key is not key or new_value is not value
        cleaned[new_key] = new_value
        size += len(str(new_key)) + value_size + _ITEM_OVERHEAD
    return (cleaned if changed else attributes), size


def sanitise_span(span: ReadableSpan, limit: int | None) -> tuple[ReadableSpan, int]:
    """*span*, or a copy safe to encode, and its estimated encoded size in bytes."""
    original = span.attributes  # a new read-only view at each access
    name = clean_text(span.name, limit)
    attributes, size = _clean_attributes(original, limit)
    size += _SPAN_OVERHEAD + _size(name)
    changed = name is not span.name or attributes is not original

    events: list[Event] = []
    for event in span.events:
        event_name = clean_text(event.name, limit)
        original = event.attributes
        event_attributes, event_size = _clean_attributes(original, limit)
        size += event_size + _size(event_name) + _ITEM_OVERHEAD
        if event_name is not event.name or event_attributes is not original:
            event = Event(event_name, event_attributes, event.timestamp)
            changed = True
        events.append(event)

    links: list[Link] = []
    for link in span.links:
        original = link.attributes
        link_attributes, link_size = _clean_attributes(original, limit)
        size += link_size + _SPAN_OVERHEAD
        if link_attributes is not original:
            link = Link(link.context, link_attributes)
            changed = True
        links.append(link)

    status = span.status
    if status.description:
        description = clean_text(status.description, limit)
        size += _size(description)
        if description is not status.description:
            status = Status(status.status_code, description)
            changed = True

    if not changed:
        return span, size
    copy = CopiedSpan(
        span,
        name=name,
        attributes=attributes,
        events=events,
        links=links,
        status=status,
        resource=span.resource,
    )
    return copy, size


def pack(
    spans: Sequence[tuple[ReadableSpan, int]], budget: int = MAX_REQUEST_BYTES
) -> tuple[list[list[ReadableSpan]], int]:
    """Group ``(span, size)`` pairs, in order, into parts of at most *budget* bytes.

    Returns the parts and the number of spans left out because each alone
    is larger than *budget*.
    """
    parts: list[list[ReadableSpan]] = []
    current: list[ReadableSpan] = []
    used = 0
    too_large = 0
    for span, size in spans:
        if size > budget:
            too_large += 1
            continue
        if current and used + size > budget:
            parts.append(current)
            current, used = [], 0
        current.append(span)
        used += size
    if current:
        parts.append(current)
    return parts, too_large
