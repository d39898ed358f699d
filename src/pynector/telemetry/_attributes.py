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
without copying.  Nothing here raises, whatever it is given: a structure
that contains itself, or nests thousands of levels deep, becomes JSON with
a marker where the cycle or the depth limit is; an object whose
``__str__`` and ``__repr__`` raise becomes ``<unprintable TypeName>``.

>>> loop = {"name": "a"}
>>> loop["self"] = loop
>>> coerce_value(loop)
'{"name": "a", "self": "<cycle>"}'
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from ._warnings import warn_once

__all__ = [
    "MAX_DEPTH",
    "coerce_attributes",
    "coerce_metric_attributes",
    "coerce_value",
    "safe_repr",
]

_PRIMITIVES = frozenset({str, bool, int, float})
_DROP = object()

#: How deep nested mappings and sequences are rendered as JSON; below that,
#: a marker.  Deep enough for any real payload, shallow enough that no
#: recursion limit is ever near.
MAX_DEPTH = 32
_CYCLE = "<cycle>"
_TOO_DEEP = "<nested too deep>"


def safe_repr(value: object) -> str:
    """``str(value)``, or a placeholder when the object's ``__str__`` raises
    (or an ``int`` is too long to print)."""
    try:
        text = str(value)
    except Exception:
        return _unprintable(value)
    return text if type(text) is str else _unprintable(value)


def _unprintable(value: object) -> str:
    if isinstance(value, int):  # beyond sys.get_int_max_str_digits()
        return f"<int of {value.bit_length()} bits>"
    return f"<unprintable {type(value).__name__}>"


def _key(key: object) -> str:
    return key if type(key) is str else safe_repr(key)


def _plain(value: object, depth: int, ancestors: set[int]) -> Any:
    """*value* as JSON-ready data (str keys, lists), cut at cycles and at
    :data:`MAX_DEPTH`; every leaf that JSON cannot take becomes text."""
    if value is None or type(value) in (str, bool, float):
        return value
    if type(value) is int:
        return value if -(2**63) <= value < 2**64 else safe_repr(value)
    is_mapping = isinstance(value, Mapping)
    if not (is_mapping or isinstance(value, (list, tuple, Set))):
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).decode("utf-8", errors="replace")
        return safe_repr(value)
    if id(value) in ancestors:
        return _CYCLE
    if depth >= MAX_DEPTH:
        return _TOO_DEEP
    ancestors.add(id(value))
    try:
        if is_mapping:
            return {
                _key(key): _plain(item, depth + 1, ancestors)
                for key, item in value.items()  # type: ignore[attr-defined]
            }
        return [_plain(item, depth + 1, ancestors) for item in value]  # type: ignore[attr-defined]
    finally:
        ancestors.discard(id(value))


def _json(value: Mapping[Any, Any]) -> str:
    import json  # only odd input pays for it

    from .redaction import active_redactor

    try:
        plain = _plain(value, 0, set())
        redactor = active_redactor()
        if redactor is not None:  # the keys inside are about to become opaque text
            plain = redactor.redact(plain)
        return json.dumps(plain, ensure_ascii=False)
    except Exception:  # a mapping whose items() raises, a redactor bug...
        # Never the unredacted text: it may hold what redaction would hide.
        return _unprintable(value)


def _sequence(values: list[Any] | tuple[Any, ...] | Set[Any]) -> tuple[Any, ...]:
    items = tuple(values)
    kinds = {type(item) for item in items if item is not None}
    if len(kinds) <= 1 and kinds <= _PRIMITIVES:
        return items
    if kinds <= {int, float}:
        try:
            return tuple(None if item is None else float(item) for item in items)
        except OverflowError:  # an int beyond float range: keep every digit, as text
            pass
    return tuple(None if item is None else safe_repr(item) for item in items)


def coerce_value(value: Any) -> Any:
    """Return an OpenTelemetry-valid form of *value*, or a drop marker for ``None``.

    Never raises: what cannot be converted becomes a placeholder text.
    """
    if isinstance(value, (str, bool, int, float)):
        return value
    if value is None:
        return _DROP
    try:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).decode("utf-8", errors="replace")
        if isinstance(value, (list, tuple, Set)):
            return _sequence(value)
        if isinstance(value, Mapping):
            return _json(value)
    except Exception:  # a sequence whose iteration raises...
        return _unprintable(value)
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


def coerce_attributes(
    attributes: Mapping[Any, Any] | None, what: str = "Span"
) -> Mapping[str, Any] | None:
    """Return *attributes* in a form OpenTelemetry accepts (see module docs).

    Never raises: attributes that cannot even be read (not a mapping, or a
    mapping whose ``items()`` raises) are dropped with one warning.  *what*
    names the kind of attributes in the warnings (``"Span"``, ``"Metric"``).
    """
    key_suffix = "" if what == "Span" else f":{what}"
    try:
        if attributes is None or (type(attributes) is dict and not attributes):
            return attributes
        if type(attributes) is dict and all(
            _is_valid(key, value) for key, value in attributes.items()
        ):
            return attributes
        pairs = list(attributes.items())
    except Exception:
        warn_once(
            "unreadable-attributes" + key_suffix,
            f"{what} attributes must be a mapping; got a {type(attributes).__name__} "
            "that could not be read. They were dropped. This warning is shown once "
            "per process.",
        )
        return None
    if all(_is_valid(key, value) for key, value in pairs):
        return dict(pairs)
    coerced: dict[str, Any] = {}
    for key, value in pairs:
        name = _key(key)
        new_value = coerce_value(value)
        if name and new_value is not _DROP:
            coerced[name] = new_value
    warn_once(
        "odd-attributes" + key_suffix,
        f"{what} attributes must be str, bool, int, float or a sequence of one of "
        f"them; got {_describe(pairs)}. They were converted (None and empty "
        "keys dropped). This warning is shown once per process.",
    )
    return coerced


def _describe(pairs: list[tuple[Any, Any]]) -> str:
    odd = [
        f"{_key(key)[:40]!r}: {type(value).__name__}"
        for key, value in pairs
        if not _is_valid(key, value)
    ]
    return ", ".join(odd[:5]) + (", ..." if len(odd) > 5 else "")


def coerce_metric_attributes(attributes: Any) -> Mapping[str, Any] | None:
    """Like :func:`coerce_attributes`, for a measurement's attributes.

    The SDK uses a measurement's attributes as a dictionary key, so sequences
    become tuples:

    >>> coerce_metric_attributes({"codes": [200, 204]})
    {'codes': (200, 204)}
    """
    if type(attributes) is dict:
        for key, value in attributes.items():
            if type(key) is not str or type(value) not in _PRIMITIVES:
                break
        else:
            return attributes
    elif attributes is None:
        return None
    coerced = coerce_attributes(attributes, "Metric")
    if coerced is None:
        return None
    return {key: tuple(value) if type(value) is list else value for key, value in coerced.items()}
