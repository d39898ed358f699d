"""Real OpenTelemetry meters and instruments behind the facades.

A synchronous facade instrument is *bound* the first time it measures
under a given meter provider: its real instrument is made once, from a
real meter made once per facade meter, and kept until the provider
changes.  An observable instrument is *registered* with OpenTelemetry's
global provider as soon as OpenTelemetry's metrics API is loaded; before a
provider is set that is OpenTelemetry's proxy, which creates the real
instrument when the application sets one.

Names and units are validated here, before OpenTelemetry sees them: the
SDK raises on invalid ones, and for a registered observable instrument it
would raise from inside the application's ``set_meter_provider``.
"""

from __future__ import annotations

import sys
from _thread import get_ident
from collections.abc import Callable, Generator, Iterable
from typing import TYPE_CHECKING, Any

from .._attributes import coerce_metric_attributes, safe_repr
from .._warnings import warn_once
from . import boundary
from .validation import (
    bucket_boundaries,
    checked_amount,
    instrument_description,
    instrument_name,
    instrument_unit,
    meter_name,
)

if TYPE_CHECKING:
    from types import ModuleType

    from ..metrics import MeterFacade, _Observable, _Synchronous

__all__ = ["bind", "provider_source", "real_meter", "register_observable", "running_callbacks"]

#: thread -> the instrument whose callback it is running now, so that a
#: collection stuck in a callback can say whose (see metric_delivery).
_calling: dict[int, str] = {}


def running_callbacks() -> list[str]:
    """The names of the instruments whose callbacks are running now, sorted."""
    return sorted(set(_calling.values()))


class _GlobalProviderLookup:
    """Reads the global meter provider through OpenTelemetry's public API.

    Used instead of the module's ``_METER_PROVIDER`` global should a
    version of OpenTelemetry not have it: slower, equally correct.
    """

    def __init__(self, api: ModuleType) -> None:
        self._api = api

    @property
    def _METER_PROVIDER(self) -> Any:
        provider = self._api.get_meter_provider()
        return None if type(provider).__name__ == "_ProxyMeterProvider" else provider


def provider_source(api: ModuleType) -> Any:
    """What the facades read ``_METER_PROVIDER`` from, given ``opentelemetry.metrics``."""
    internal = sys.modules.get(api.__name__ + "._internal")
    if internal is not None and hasattr(internal, "_METER_PROVIDER"):
        return internal
    return _GlobalProviderLookup(api)


def real_meter(facade: MeterFacade, provider: Any) -> Any:
    """*facade*'s real meter from *provider*, made once per provider."""
    if facade._provider is not provider or facade._meter is None:
        options: dict[str, Any] = {"version": facade.version, "schema_url": facade.schema_url}
        if facade.attributes:  # not every OpenTelemetry version takes meter attributes
            options["attributes"] = coerce_metric_attributes(facade.attributes)
        facade._meter = provider.get_meter(meter_name(facade.name), **options)
        facade._provider = provider
    return facade._meter


def _make(instrument: _Synchronous, provider: Any) -> Callable[..., None] | None:
    meter = real_meter(instrument.meter, provider)
    name = instrument_name(instrument.name)
    unit = instrument_unit(name, instrument.unit)
    description = instrument_description(instrument.description)
    kind = instrument.kind
    if kind == "histogram":
        options = {}
        boundaries = bucket_boundaries(name, getattr(instrument, "boundaries", None))
        if boundaries is not None:
            options["explicit_bucket_boundaries_advisory"] = boundaries
        histogram = meter.create_histogram(name, unit=unit, description=description, **options)
        return histogram.record  # type: ignore[no-any-return]
    real = getattr(meter, f"create_{kind}")(name, unit=unit, description=description)
    return real.set if kind == "gauge" else real.add  # type: ignore[no-any-return]


def bind(instrument: _Synchronous, provider: Any) -> None:
    """Give *instrument* its real instrument from *provider* (``None`` if that fails)."""
    try:
        record = _make(instrument, provider)
    except Exception as error:  # a provider that cannot make it: measurements are dropped
        warn_once(
            f"metric-instrument:{safe_repr(instrument.name)}",
            f"Cannot create the {instrument.kind} {safe_repr(instrument.name)!r} "
            f"({error!r}); its measurements are dropped.",
        )
        record = None
    instrument._record = record
    instrument._provider = provider


def _observations(
    instrument: _Observable, results: Iterable[Any] | None, observation: type
) -> list[Any]:
    """The callback's results as OpenTelemetry observations; bad values dropped."""
    from .. import metrics

    redact = metrics._api._METER_PROVIDER is not boundary.redacting_provider
    converted = []
    for result in results or ():
        value = getattr(result, "value", result)
        checked = checked_amount(instrument.kind, instrument.name, value)
        if checked is not None:
            attributes = coerce_metric_attributes(getattr(result, "attributes", None))
            if attributes and redact:
                attributes = boundary.redacted(attributes)
            context = getattr(result, "context", None)
            if context is None:
                converted.append(observation(checked, attributes))
            else:  # the context an exemplar is taken from
                converted.append(observation(checked, attributes, context))
    return converted


def _wrap(instrument: _Observable, callback: Any, api: ModuleType) -> Callable[[Any], list[Any]]:
    """*callback* as OpenTelemetry calls it, failing nothing and flooding nothing."""
    from ..metrics import CallbackOptions

    call: Callable[[Any], Any]
    if isinstance(callback, Generator):  # as OpenTelemetry: a generator is sent the options
        next(callback)
        call = callback.send
    else:
        call = callback

    def observe(options: Any) -> list[Any]:
        thread = get_ident()
        _calling[thread] = safe_repr(instrument.name)
        try:
            results = call(CallbackOptions(getattr(options, "timeout_millis", 10_000)))
            return _observations(instrument, results, api.Observation)
        except Exception as error:
            warn_once(
                f"metric-callback:{safe_repr(instrument.name)}",
                f"The callback of {safe_repr(instrument.name)!r} failed ({error!r}); it "
                "reports nothing when it fails. This warning is shown once per instrument.",
            )
            return []
        finally:
            _calling.pop(thread, None)

    return observe


def register_observable(instrument: _Observable) -> None:
    """Register *instrument*'s callbacks with OpenTelemetry's global meter provider."""
    name = safe_repr(instrument.name)
    try:
        api = sys.modules["opentelemetry.metrics"]
        given = instrument.callbacks
        callbacks = []
        for callback in [given] if callable(given) else given or ():
            if not callable(callback) and not isinstance(callback, Generator):
                warn_once(
                    f"metric-callback-type:{name}",
                    f"A callback of {name!r} is not callable ({safe_repr(callback)}); "
                    "it is ignored.",
                )
                continue
            callbacks.append(_wrap(instrument, callback, api))
        provider = api.get_meter_provider()
        meter = real_meter(instrument.meter, provider)
        valid_name = instrument_name(instrument.name)
        getattr(meter, f"create_{instrument.kind}")(
            valid_name,
            callbacks=callbacks,
            unit=instrument_unit(valid_name, instrument.unit),
            description=instrument_description(instrument.description),
        )
    except Exception as error:
        warn_once(
            f"metric-instrument:{name}",
            f"Cannot create the {instrument.kind} {name!r} ({error!r}); it reports nothing.",
        )
