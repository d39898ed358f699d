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
:func:`~.request_packing.pack` then groups spans into requests of at most
:data:`~.request_packing.MAX_REQUEST_BYTES` (estimated), so a batch never
crosses gRPC's 4 MiB.  Anything these rules do not foresee is caught by
splitting the batch (see :func:`~.delivery.send_in_parts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry.sdk.trace import Event
from opentelemetry.trace import Link
from opentelemetry.trace.status import Status

from .._otlp_values import clean_text
from .request_packing import MAX_REQUEST_BYTES, encoded_size, pack, sized_attributes
from .span_copy import CopiedSpan

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = [
    "MAX_REQUEST_BYTES",
    "clean_text",
    "pack",
    "sanitise_span",
]

_SPAN_OVERHEAD = 96  # ids, times, kind, status, framing: generous
_ITEM_OVERHEAD = 16  # per event or link


def sanitise_span(span: ReadableSpan, limit: int | None) -> tuple[ReadableSpan, int]:
    """*span*, or a copy safe to encode, and its estimated encoded size in bytes."""
    original = span.attributes  # a new read-only view at each access
    name = clean_text(span.name, limit)
    attributes, size = sized_attributes(original, limit)
    size += _SPAN_OVERHEAD + encoded_size(name)
    changed = name is not span.name or attributes is not original

    events: list[Event] = []
    for event in span.events:
        event_name = clean_text(event.name, limit)
        original = event.attributes
        event_attributes, event_size = sized_attributes(original, limit)
        size += event_size + encoded_size(event_name) + _ITEM_OVERHEAD
        if event_name is not event.name or event_attributes is not original:
            event = Event(event_name, event_attributes, event.timestamp)
            changed = True
        events.append(event)

    links: list[Link] = []
    for link in span.links:
        original = link.attributes
        link_attributes, link_size = sized_attributes(original, limit)
        size += link_size + _SPAN_OVERHEAD
        if link_attributes is not original:
            link = Link(link.context, link_attributes)
            changed = True
        links.append(link)

    status = span.status
    if status.description:
        description = clean_text(status.description, limit)
        size += encoded_size(description)
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
