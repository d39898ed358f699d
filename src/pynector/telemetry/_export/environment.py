"""Reading configuration from environment variables, forgivingly.

A malformed value never raises: it produces one
:class:`~pynector.telemetry.TelemetryWarning` naming the variable and the
value (shortened, credentials masked: see :mod:`.shown`), and the default
is used.

OpenTelemetry's SDK reads many of the same variables again when its
objects are built, and answers a malformed value with a message of its
own, or an exception.  :func:`hidden_variables` keeps the variables
pynector has already parsed out of its sight while it builds them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from .._warnings import warn_once
from .shown import shown_value

__all__ = [
    "InvalidEntries",
    "InvalidValue",
    "get_env_bool",
    "get_env_dict",
    "get_env_str",
    "hidden_variables",
    "parse_bool",
    "parse_key_values",
    "warn_malformed",
    "warn_skipped",
]

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class InvalidValue(ValueError):
    """Raised by a parser for a value it cannot accept; the message says what it expects."""


class InvalidEntries(InvalidValue):
    """Raised by a list or mapping parser when only some entries are malformed.

    *value* is what the well-formed entries make; *entries* are the others,
    each to be named in a warning.
    """

    def __init__(
        self,
        expected: str,
        value: Any,
        entries: list[object],
        reasons: Sequence[str | None] = (),
    ) -> None:
        super().__init__(expected)
        self.value = value
        self.entries = entries
        self.reasons = reasons

    def explained(self) -> list[tuple[object, str]]:
        """Each bad entry with what was expected of it: its own reason, if
        *reasons* gives one (parallel to *entries*), else *expected*."""
        reasons = list(self.reasons) + [None] * (len(self.entries) - len(self.reasons))
        return [
            (entry, reason or str(self))
            for entry, reason in zip(self.entries, reasons, strict=False)
        ]


def parse_bool(raw: object) -> bool:
    """``true/1/yes/on`` or ``false/0/no/off``, in any case; a ``bool`` as it is.

    >>> parse_bool(" Yes "), parse_bool("0"), parse_bool(False)
    (True, False, False)
    """
    if isinstance(raw, bool):
        return raw
    lowered = raw.strip().lower() if isinstance(raw, str) else None
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidValue("true or false")


def warn_malformed(
    name: str,
    value: object,
    expected: str,
    default: object,
    *,
    secret: bool = False,
    instead: str | None = None,
) -> None:
    """Warn once that *name* (a variable or an argument) holds *value*, which is
    not *expected*, and that *default* (or what *instead* says) is used.

    The value is shown shortened and with credentials masked; with *secret*
    (headers...) every value in it is masked.
    """
    shown = shown_value(value, secret=secret)
    used = instead or f"the default ({shown_value(default, secret=secret)})"
    warn_once(f"env:{name}={shown}", f"Ignoring {name}={shown}: expected {expected}. Using {used}.")


def warn_skipped(name: str, entry: object, expected: str, *, secret: bool = False) -> None:
    """Warn once that the list or mapping in *name* has a bad *entry*, which is skipped."""
    shown = shown_value(entry, secret=secret)
    warn_once(
        f"env:{name}:{shown}",
        f"Skipping {shown} in {name}: expected {expected}. The other entries are used.",
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


def parse_key_values(raw: str) -> tuple[dict[str, str], list[str]]:
    """``key1=value1,key2=value2`` (the OpenTelemetry list format) as a dict,
    and the entries that are not ``key=value``.

    Keys and values are percent-decoded and stripped, as the OpenTelemetry
    specification asks for ``OTEL_RESOURCE_ATTRIBUTES`` and
    ``OTEL_EXPORTER_OTLP_HEADERS``.

    >>> parse_key_values("a=1, b=x%2Cy,oops")
    ({'a': '1', 'b': 'x,y'}, ['oops'])
    """
    result: dict[str, str] = {}
    malformed: list[str] = []
    for entry in raw.split(","):
        if not entry.strip():
            continue
        key, separator, item = entry.partition("=")
        key = unquote(key.strip())
        if not separator or not key:
            malformed.append(entry.strip())
            continue
        result[key] = unquote(item.strip())
    return result, malformed


def get_env_dict(
    name: str, default: Mapping[str, str] | None = None, *, secret: bool = False
) -> dict[str, str]:
    """Parse *name* as ``key1=value1,key2=value2`` (see :func:`parse_key_values`).

    Malformed entries are skipped with a warning (which, for a *secret*
    variable such as headers carrying API keys, masks the entry); the
    well-formed ones are kept.
    """
    value = get_env_str(name)
    if value is None:
        return dict(default or {})
    result, malformed = parse_key_values(value)
    for entry in malformed:
        warn_skipped(name, entry, "key=value", secret=secret)
    return result


_hiding = threading.Lock()


@contextmanager
def hidden_variables(names: Iterable[str]) -> Iterator[None]:
    """Remove *names* from the environment inside the block; put them back after.

    Used while OpenTelemetry's SDK builds its objects from the values
    pynector resolved and passes explicitly, so that the SDK does not parse
    the same variables a second time (a second message for a malformed
    value, or an exception).  The variables are gone only for that moment,
    at configuration time, in this process.
    """
    with _hiding:
        saved = {name: os.environ.pop(name) for name in names if name in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)
