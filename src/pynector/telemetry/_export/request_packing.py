"""Group exported items into requests a collector accepts, by their estimated size.

A gRPC collector refuses a request over 4 MiB, and OpenTelemetry's gRPC
exporters retry that refusal as if it were transient: a batch of 512
ordinary items that happens to weigh 4.2 MiB (log records of an error
storm, each with a 4 KB stack trace and message) is lost whole, after the
retries.  So every signal's sender estimates each item's encoded size
(:func:`sized_value`, :func:`sized_attributes`) and sends its batch as
parts of at most :data:`MAX_REQUEST_BYTES` (:func:`send_packed`); an item
larger than that on its own is set aside and counted, not sent.

>>> pack([("a", 10), ("b", 10), ("c", 30), ("d", 6)], budget=25)
([['a', 'b'], ['d']], 1)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .._otlp_values import clean_int, clean_text
from .delivery import Sent, send_in_parts

__all__ = [
    "MAX_REQUEST_BYTES",
    "encoded_size",
    "pack",
    "send_packed",
    "sized_attributes",
    "sized_value",
]

T = TypeVar("T")

#: gRPC's default message limit is 4 MiB; the rest is room for the resource
#: and for the estimate's error.
MAX_REQUEST_BYTES = 3 * 1024 * 1024

_ITEM_OVERHEAD = 16  # per attribute, event or link
_NUMBER_SIZE = 10


def encoded_size(text: str) -> int:
    """The size of *text* in UTF-8, counted cheaply when it is ASCII."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def sized_value(value: object, limit: int | None) -> tuple[object, int]:
    """*value* made safe to encode (texts cut to *limit*), and its estimated size."""
    if isinstance(value, str):
        text = clean_text(value, limit)
        return text, encoded_size(text)
    if isinstance(value, bool | float):
        return value, _NUMBER_SIZE
    if isinstance(value, int):
        number = clean_int(value, limit)
        return number, _NUMBER_SIZE if isinstance(number, int) else encoded_size(number)
    if isinstance(value, list | tuple):
        cleaned = [sized_value(item, limit) for item in value]
        size = sum(item_size for _, item_size in cleaned) + _ITEM_OVERHEAD
        if all(new is old for (new, _), old in zip(cleaned, value, strict=True)):
            return value, size
        return tuple(new for new, _ in cleaned), size
    return value, _ITEM_OVERHEAD  # not ours to fix; a batch that fails is split


def sized_attributes(attributes: Any, limit: int | None) -> tuple[Any, int]:
    """*attributes*, or a copy safe to encode, and their estimated encoded size."""
    if not attributes:
        return attributes, 0
    cleaned: dict[object, object] = {}
    changed = False
    size = 0
    for key, value in attributes.items():
        new_key = clean_text(key, None) if isinstance(key, str) else key
        new_value, value_size = sized_value(value, limit)
        changed = changed or new_key is not key or new_value is not value
        cleaned[new_key] = new_value
        size += len(str(new_key)) + value_size + _ITEM_OVERHEAD
    return (cleaned if changed else attributes), size


def pack(
    items: Sequence[tuple[T, int]], budget: int = MAX_REQUEST_BYTES
) -> tuple[list[list[T]], int]:
    """Group ``(item, size)`` pairs, in order, into parts of at most *budget* bytes.

    Returns the parts and the number of items left out because each alone
    is larger than *budget*.
    """
    parts: list[list[T]] = []
    current: list[T] = []
    used = 0
    too_large = 0
    for item, size in items:
        if size > budget:
            too_large += 1
            continue
        if current and used + size > budget:
            parts.append(current)
            current, used = [], 0
        current.append(item)
        used += size
    if current:
        parts.append(current)
    return parts, too_large


def send_packed(
    items: Sequence[tuple[T, int]],
    budget: int,
    export: Callable[[list[T]], bool],
    encoding_problem: Callable[[list[T]], str | None] | None,
) -> Sent[T]:
    """Export ``(item, size)`` pairs as parts of at most *budget* bytes (see
    :func:`~.delivery.send_in_parts`); an item over *budget* alone is rejected."""
    parts, too_large = pack(items, budget)
    sent = send_in_parts(parts, export, encoding_problem)
    if not too_large:
        return sent
    rejected = dict(sent.rejected)
    reason = f"over {budget} bytes each, even with values truncated"
    rejected[reason] = rejected.get(reason, 0) + too_large
    return Sent(sent.exported, rejected, sent.retry, sent.error)
