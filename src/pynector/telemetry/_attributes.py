"""Turn whatever a caller passes as span attributes into what OpenTelemetry accepts.

OpenTelemetry accepts ``str``, ``bool``, ``int``, ``float`` and homogeneous
sequences of them; anything else is dropped with a log line *per call*.
Library code passes ``None``, dicts, bytes, objects and non-string keys all
the time, and a tracing layer must neither raise nor flood the log over it.
So values are coerced to the nearest valid form and one
:class:`~pynector.telemetry.TelemetryWarning` says so, once per process:

>>> coerce_attributes({"user": {"id": 7}, 3: b"ok", "none": None})
{'user': '{"id": 7}', '3': 'ok'}

The common case, a mapping that is already valid, is returned as is
without copying.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from ._warnings import warn_once

__all__ = ["coerce_attributes", "coerce_value", "safe_repr"]

_PRIMITIVES = frozenset({str, bool, int, float})
_DROP = object()


def safe_repr(value: object) -> str:
    """``str(value)``, or a placeholder when the object's ``__str__`` raises."""
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def _sequence(values: list[Any] | tuple[Any, ...] | Set[Any]) -> tuple[Any, ...]:
    items = tuple(values)
    kinds = {type(item) for item in items if item is not None}
    if len(kinds) <= 1 and kinds <= _PRIMITIVES:
        return items
    if kinds <= {int, float}:
        return tuple(None if item is None else float(item) for item in items)
    return tuple(None if item is None else safe_repr(item) for item in items)


def _json(value: Mapping[Any, Any]) -> str:
    import json  # only odd input pays for it

    from .redaction import active_redactor

    redactor = active_redactor()
    if redactor is not None:  # the keys inside are about to become opaque text
        value = redactor.redact(value)

    try:
        return json.dumps(value, default=safe_repr, ensure_ascii=False)
    except Exception:  # non-string keys json cannot encode, cycles...
        return safe_repr(value)


def coerce_value(value: Any) -> Any:
    """Return an OpenTelemetry-valid form of *value*, or a drop marker for ``None``."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if value is None:
        return _DROP
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple, Set)):
        return _sequence(value)
    if isinstance(value, Mapping):
        return _json(value)
    return safe_repr(value)


def _is_valid(key: object, value: object) -> bool:
    """Whether OpenTelemetry takes the pair as is (a homogeneous sequence counts)."""
    if type(key) is not str or not key:
        return False
    if type(value) in _PRIMITIVES:
        return True
    if type(value) in (tuple, list):
        kinds = {type(item) for item in value}  # type: ignore[attr-defined]
        return len(kinds) <= 1 and kinds <= _PRIMITIVES
    return False


def coerce_attributes(attributes: Mapping[Any, Any] | None) -> Mapping[str, Any] | None:
    """Return *attributes* in a form OpenTelemetry accepts (see module docs)."""
    if not attributes:
        return attributes
    if all(_is_valid(key, value) for key, value in attributes.items()):
        return attributes
    coerced: dict[str, Any] = {}
    for key, value in attributes.items():
        name = key if type(key) is str else safe_repr(key)
        new_value = coerce_value(value)
        if name and new_value is not _DROP:
            coerced[name] = new_value
    warn_once(
        "odd-attributes",
        "Span attributes must be str, bool, int, float or a sequence of one of "
        f"them; got {_describe(attributes)}. They were converted (None and empty "
        "keys dropped). This warning is shown once per process.",
    )
    return coerced


def _describe(attributes: Mapping[Any, Any]) -> str:
    odd = [
        f"{key!r}: {type(value).__name__}"
        for key, value in attributes.items()
        if not _is_valid(key, value)
    ]
    return ", ".join(odd[:5]) + (", ..." if len(odd) > 5 else "")
