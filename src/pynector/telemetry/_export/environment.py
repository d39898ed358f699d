"""Reading configuration from environment variables, forgivingly.

A malformed value never raises: it produces one
:class:`~pynector.telemetry.TelemetryWarning` naming the variable and the
value, and the default is used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import unquote

from .._warnings import warn_once

__all__ = [
    "InvalidValue",
    "get_env_bool",
    "get_env_dict",
    "get_env_str",
    "parse_bool",
    "warn_malformed",
]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class InvalidValue(ValueError):
    """Raised by a parser for a value it cannot accept; the message says what it expects."""


def parse_bool(raw: str) -> bool:
    """``true/1/yes/on`` or ``false/0/no/off``, in any case.

    >>> parse_bool(" Yes "), parse_bool("0")
    (True, False)
    """
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidValue("true or false")


def warn_malformed(name: str, value: str, expected: str, default: object) -> None:
    """Warn once that *name* holds *value*, which is not *expected*."""
    warn_once(
        f"env:{name}={value}",
        f"Ignoring {name}={value!r}: expected {expected}. Using the default ({default!r}).",
    )


def get_env_str(name: str, default: str | None = None) -> str | None:
    """The stripped value of *name*, or *default* when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def get_env_bool(name: str, default: bool = False) -> bool:
    """Interpret *name* as a boolean (``true/1/yes/on``, ``false/0/no/off``).

    >>> get_env_bool("PYNECTOR_EXAMPLE_UNSET", True)
    True
    """
    value = get_env_str(name)
    if value is None:
        return default
    try:
        return parse_bool(value)
    except InvalidValue as error:
        warn_malformed(name, value, str(error), default)
        return default


def get_env_dict(
    name: str, default: Mapping[str, str] | None = None, *, secret: bool = False
) -> dict[str, str]:
    """Parse ``key1=value1,key2=value2`` (the OpenTelemetry list format).

    Keys and values are percent-decoded and stripped, as the OpenTelemetry
    specification asks for ``OTEL_RESOURCE_ATTRIBUTES`` and
    ``OTEL_EXPORTER_OTLP_HEADERS``.  Malformed entries are skipped with a
    warning (which, for a *secret* variable such as headers carrying API
    keys, does not repeat the entry); the well-formed ones are kept.
    """
    value = get_env_str(name)
    if value is None:
        return dict(default or {})
    result: dict[str, str] = {}
    for entry in value.split(","):
        if not entry.strip():
            continue
        key, separator, item = entry.partition("=")
        key = unquote(key.strip())
        if not separator or not key:
            shown = "<hidden>" if secret else entry.strip()
            warn_malformed(name, shown, "key=value", "entry skipped")
            continue
        result[key] = unquote(item.strip())
    return result
