"""What OpenTelemetry accepts for instruments and measurements, and what to do otherwise.

The OpenTelemetry SDK raises on an invalid instrument name or unit, logs a
line for every negative count, and produces ``nan`` sums from a ``nan``
amount.  A library's metrics must do none of that to the application, so
each rule here returns the nearest valid value, or ``None`` to drop, after
one :class:`~pynector.telemetry.TelemetryWarning` per problem and
instrument:

>>> instrument_name("http requests")
'http_requests'
>>> bucket_boundaries("latency", [0.1, 1, 10])
(0.1, 1.0, 10.0)
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .._attributes import safe_repr
from .._warnings import warn_once

__all__ = [
    "bucket_boundaries",
    "checked_amount",
    "instrument_description",
    "instrument_name",
    "instrument_unit",
    "meter_name",
]

_NAME = re.compile(r"[a-zA-Z][-_./a-zA-Z0-9]{0,254}")
_NAME_INVALID_CHARACTER = re.compile(r"[^-_./a-zA-Z0-9]")
_UNIT = re.compile(r"[\x00-\x7F]{0,63}")

#: Instrument kinds (``create_<kind>``) whose amounts may not be negative.
NON_NEGATIVE = frozenset({"counter", "histogram", "observable_counter"})


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else safe_repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def instrument_name(name: object) -> str:
    """*name* if OpenTelemetry accepts it, else the nearest name it does (with a warning).

    Valid names start with a letter and hold up to 255 letters, digits and
    ``_ . - /``.
    """
    if type(name) is str and _NAME.fullmatch(name):
        return name
    text = name if isinstance(name, str) else safe_repr(name)
    fixed = _NAME_INVALID_CHARACTER.sub("_", text)
    if not fixed[:1].isascii() or not fixed[:1].isalpha():
        fixed = "metric_" + fixed
    fixed = fixed[:255]
    warn_once(
        f"metric-name:{text}",
        f"Invalid instrument name {_shown(name)}: a name starts with a letter and has at "
        f"most 255 letters, digits and '_.-/'. It is reported as {fixed!r}.",
    )
    return fixed


def instrument_unit(name: str, unit: object) -> str:
    """*unit* if it is ASCII of at most 63 characters, else no unit (with a warning)."""
    if unit is None:
        return ""
    if type(unit) is str and _UNIT.fullmatch(unit):
        return unit
    warn_once(
        f"metric-unit:{name}",
        f"Instrument {name!r}: invalid unit {_shown(unit)} (ASCII, at most 63 "
        "characters). It is reported without a unit.",
    )
    return ""


def instrument_description(description: object) -> str:
    """*description* as text (``None`` is no description)."""
    if description is None:
        return ""
    return description if isinstance(description, str) else safe_repr(description)


def meter_name(name: object) -> str:
    """A meter's name as text; an empty name becomes ``"unknown"``, as OpenTelemetry warns."""
    text = name if isinstance(name, str) else safe_repr(name)
    return text or "unknown"


def bucket_boundaries(name: str, boundaries: object) -> tuple[float, ...] | None:
    """Histogram bucket boundaries: finite, increasing numbers, or ``None`` (with a warning)."""
    if boundaries is None:
        return None
    if isinstance(boundaries, Sequence) and not isinstance(boundaries, (str, bytes)):
        try:
            values = tuple(
                float(value)
                for value in boundaries
                if not isinstance(value, bool) and isinstance(value, (int, float))
            )
        except (TypeError, ValueError, OverflowError):
            values = ()
        if (
            len(values) == len(boundaries)
            and all(math.isfinite(value) for value in values)
            and all(low < high for low, high in itertools.pairwise(values))
        ):
            return values
    warn_once(
        f"metric-buckets:{name}",
        f"Histogram {name!r}: explicit_bucket_boundaries_advisory must be increasing "
        f"finite numbers; got {_shown(boundaries)}. The default boundaries are used.",
    )
    return None


def _number(amount: Any) -> int | float | None:
    """*amount* as an ``int`` or ``float`` if it is a real number of any kind."""
    if isinstance(amount, bool):
        return None
    if isinstance(amount, int):
        number = int(amount)
        if -(2**63) <= number < 2**63:
            return number
        try:  # OTLP has 64-bit integers; beyond that, a float says it best
            return float(number)
        except OverflowError:
            return math.inf if number > 0 else -math.inf
    if isinstance(amount, (float, Decimal, Fraction)):
        return float(amount)
    to_float = getattr(type(amount), "__float__", None)  # numpy and other numeric scalars
    if to_float is not None and not isinstance(amount, (str, bytes, complex)):
        try:
            return float(amount)
        except Exception:
            return None
    return None


def checked_amount(kind: str, name: str, amount: Any) -> int | float | None:
    """*amount* as a number the instrument accepts, or ``None`` to drop it (with a warning).

    Any real number is accepted (numpy scalars, ``Decimal``...); ``bool``,
    text and other objects, ``nan`` and infinities are dropped, and so are
    negative amounts for counters and histograms.
    """
    number = _number(amount)
    if number is None:
        problem, reason = "type", f"{_shown(amount)} is not a number"
    elif not math.isfinite(number):
        problem, reason = "finite", f"{_shown(amount)} is not a finite number"
    elif number < 0 and kind in NON_NEGATIVE:
        problem, reason = "negative", f"{_shown(amount)} is negative ({kind}s only go up)"
    else:
        return number
    warn_once(
        f"metric-amount:{problem}:{name}",
        f"Instrument {name!r}: {reason}; the measurement was dropped. This warning "
        "is shown once per instrument.",
    )
    return None
