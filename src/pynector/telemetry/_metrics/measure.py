"""One measurement, from a synchronous facade instrument to its real OpenTelemetry instrument.

Runs only while a meter provider is set.  A well-formed measurement (an
``int`` or finite ``float`` and plain attributes) goes straight through;
anything else is checked by :mod:`.validation` first.  Attributes are then
redacted at pynector's boundary when the meter provider will not (see
:mod:`.boundary`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._attributes import coerce_metric_attributes
from .._warnings import warn_once
from . import boundary
from .binding import bind
from .validation import NON_NEGATIVE, checked_amount

if TYPE_CHECKING:
    from ..metrics import _Synchronous

__all__ = ["measure"]

# Integers beyond 64 bits cannot be encoded in OTLP (one would fail a whole
# export), so they take the checked path too, as do nan and infinities.
_LOWEST = -(2**63)
_HIGHEST = 2**63
_NUMBERS = frozenset({int, float})
_PLAIN_VALUES = frozenset({str, bool, int, float})


def measure(
    instrument: _Synchronous, provider: Any, amount: Any, attributes: Any, context: Any
) -> None:
    """Record *amount* with *attributes* on *instrument*'s real instrument from *provider*.

    The common case, a plain number in range and a dictionary of plain
    values, is checked inline: this runs on every measurement.
    """
    if provider is not instrument._provider:
        bind(instrument, provider)
    record = instrument._record
    if record is None:  # the real instrument could not be made (already warned)
        return
    if (
        type(amount) not in _NUMBERS
        or not _LOWEST <= amount < _HIGHEST
        or (amount < 0 and instrument.kind in NON_NEGATIVE)
    ):
        amount = checked_amount(instrument.kind, instrument.name, amount)
        if amount is None:
            return
    if type(attributes) is dict:
        for key, value in attributes.items():
            if type(key) is not str or type(value) not in _PLAIN_VALUES:
                attributes = coerce_metric_attributes(attributes)
                break
    elif attributes is not None:
        attributes = coerce_metric_attributes(attributes)
    if attributes and provider is not boundary.redacting_provider:
        attributes = boundary.redacted(attributes)
    try:
        record(amount, attributes, context)
    except Exception as error:  # an SDK or custom provider bug must not reach the caller
        warn_once(
            f"metric-record:{instrument.name}",
            f"Instrument {instrument.name!r} failed to record a measurement ({error!r}); "
            "it was dropped. This warning is shown once per instrument.",
        )
