"""Values that OTLP can encode, for every signal's export.

One value can sink a whole batch: protobuf refuses to encode a string that
holds a lone surrogate (``"\\udcff"``, which Python makes when it decodes
invalid bytes with ``surrogateescape``), and OTLP integers are 64-bit.
Spans (:mod:`pynector.telemetry._export.span_sanitising`) and log records
(:mod:`pynector.telemetry._logs.export_handler`) are cleaned the same way:

>>> clean_text("caf\\udce9", None), clean_text("abcdef", 3)
('caf\\ufffd', 'abc')
>>> clean_int(2**64, None), clean_int(7, None)
('18446744073709551616', 7)
"""

from __future__ import annotations

import re

__all__ = ["INT64_MAX", "INT64_MIN", "clean_int", "clean_text"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str, limit: int | None) -> str:
    """*text* cut to *limit* characters, lone surrogates replaced; itself if fine."""
    if limit is not None and len(text) > limit:
        text = text[:limit]
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def clean_int(value: int, limit: int | None) -> int | str:
    """*value* itself if it fits in 64 bits, else its text (cut to *limit*)."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    try:
        text = str(value)
    except ValueError:  # beyond sys.get_int_max_str_digits()
        text = hex(value)
    return clean_text(text, limit)
