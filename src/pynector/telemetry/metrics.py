"""Meters for libraries: OpenTelemetry's instruments, free until the application sets a provider.

A library gets a meter once, at import time, makes its instruments, and
uses them on every request::

    from pynector.telemetry import get_meter

    meter = get_meter(__name__)
    requests = meter.create_counter("mylib.requests", unit="{request}")
    latency = meter.create_histogram("mylib.duration", unit="s")

    def handle(route):
        requests.add(1, {"route": route})

The calls and their arguments are OpenTelemetry's (``create_counter`` ->
``add``, ``create_up_down_counter`` -> ``add``, ``create_histogram`` ->
``record``, ``create_gauge`` -> ``set``, and the three observable
instruments with callbacks), so nothing new has to be learned.

Until the application sets a meter provider (through
:func:`~pynector.telemetry.configure_telemetry` or OpenTelemetry's own
``set_meter_provider``), every call returns at once: nothing is imported,
recorded, printed or raised.  Each call decides afresh, with one attribute
read, so instruments made at import time start reporting as soon as a
provider appears.  Then each instrument obtains its real OpenTelemetry
instrument once and hands it every measurement, after turning bad input
(a negative count, a non-numeric amount, odd attribute values, an invalid
instrument name) into one :class:`~pynector.telemetry.TelemetryWarning`
and a dropped or coerced measurement.

How a facade learns that OpenTelemetry arrived
----------------------------------------------
The instruments read the global meter provider from OpenTelemetry's
metrics module; until that module is imported they read a stand-in that
always says "no provider".  When OpenTelemetry is installed, this module
asks :mod:`._after_import` to swap in the real module the moment anyone
imports it, and to register the observable instruments made so far, so
that their callbacks run once a provider is set.

>>> meter = get_meter("mylib")
>>> meter.create_counter("mylib.hits").add(1, {"cache": "user"})
>>> meter.is_enabled()
False
"""

from __future__ import annotations

import sys
from _thread import allocate_lock

from . import HAS_OPENTELEMETRY

TYPE_CHECKING = False  # a hot-path module: see pynector/telemetry/__init__.py

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
    from types import ModuleType
    from typing import Any, TypeAlias, TypeVar

    #: What an observable instrument's callback may be, as in OpenTelemetry: a
    #: function, or a generator that is primed once and then sent the options.
    Callback: TypeAlias = (
        "Callable[[CallbackOptions], Iterable[Observation]]"
        " | Generator[Iterable[Observation], CallbackOptions, None]"
    )
    _O = TypeVar("_O", bound="_Observable")

__all__ = [
    "CallbackOptions",
    "Counter",
    "Gauge",
    "Histogram",
    "MeterFacade",
    "ObservableCounter",
    "ObservableGauge",
    "ObservableUpDownCounter",
    "Observation",
    "UpDownCounter",
    "get_meter",
]

#: The public module whose import means "a meter provider may now be set".
OPENTELEMETRY_METRICS = "opentelemetry.metrics"


#: Read instead of OpenTelemetry's metrics module while that is not loaded.
#: A module object, like what replaces it, because reading a module's
#: attribute is the fastest attribute read there is.
_NO_METRICS_API: Any = type(sys)("pynector.telemetry.metrics.<OpenTelemetry not loaded>")
_NO_METRICS_API._METER_PROVIDER = None

#: Where the instruments read the global meter provider: OpenTelemetry's
#: module once it is loaded (see :func:`_opentelemetry_metrics_loaded`).
_api: Any = _NO_METRICS_API

#: Observable instruments made before OpenTelemetry's metrics API was loaded.
_pending: list[_Observable] = []
#: Guards the hand-over from _pending to OpenTelemetry (_thread: see _warnings).
_pending_lock = allocate_lock()


class Observation:
    """One value reported by an observable instrument's callback.

    Return these from a callback: ``yield Observation(len(queue), {"queue": "jobs"})``.
    OpenTelemetry's own ``Observation`` is accepted too.
    """

    __slots__ = ("attributes", "context", "value")

    def __init__(
        self, value: float, attributes: Mapping[str, Any] | None = None, context: Any = None
    ) -> None:
        self.value = value
        self.attributes = attributes
        self.context = context

    def __repr__(self) -> str:
        return f"Observation({self.value!r}, {self.attributes!r})"


class CallbackOptions:
    """What an observable instrument's callback is given: the time it may take."""

    __slots__ = ("timeout_millis",)

    def __init__(self, timeout_millis: float = 10_000) -> None:
        self.timeout_millis = timeout_millis


def _load_measure(
    instrument: _Synchronous, provider: Any, amount: Any, attributes: Any, context: Any
) -> None:
    # The measuring code is only needed once a provider is set; importing
    # it on first use keeps get_meter() light.
    global _measure
    from ._metrics.measure import measure

    _measure = measure
    measure(instrument, provider, amount, attributes, context)


_measure: Callable[[_Synchronous, Any, Any, Any, Any], None] = _load_measure


class _Synchronous:
    """What the four synchronous instruments share: their identity and their binding.

    ``_provider`` is the meter provider ``_record`` was obtained from;
    ``_record`` is the real instrument's ``add``/``record``/``set``, or
    ``None`` when it could not be made.
    """

    __slots__ = ("_provider", "_record", "description", "meter", "name", "unit")

    #: OpenTelemetry's name for this kind of instrument (``create_<kind>``).
    kind = ""

    def __init__(self, meter: MeterFacade, name: str, unit: str, description: str) -> None:
        self.meter = meter
        self.name = name
        self.unit = unit
        self.description = description
        self._provider: Any = None
        self._record: Callable[..., None] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class Counter(_Synchronous):
    """A monotonic sum: requests served, bytes sent, retries made."""

    __slots__ = ()
    kind = "counter"

    def add(
        self, amount: float, attributes: Mapping[str, Any] | None = None, context: Any = None
    ) -> None:
        """Add *amount* (at least 0) to the count for *attributes*."""
        if (provider := _api._METER_PROVIDER) is not None:
            _measure(self, provider, amount, attributes, context)


class UpDownCounter(_Synchronous):
    """A sum that goes both ways: items in a queue, open connections."""

    __slots__ = ()
    kind = "up_down_counter"

    def add(
        self, amount: float, attributes: Mapping[str, Any] | None = None, context: Any = None
    ) -> None:
        """Add *amount* (negative to subtract) to the sum for *attributes*."""
        if (provider := _api._METER_PROVIDER) is not None:
            _measure(self, provider, amount, attributes, context)


class Histogram(_Synchronous):
    """A distribution of values: request durations, payload sizes."""

    __slots__ = ("boundaries",)
    kind = "histogram"

    def __init__(
        self,
        meter: MeterFacade,
        name: str,
        unit: str,
        description: str,
        boundaries: Sequence[float] | None = None,
    ) -> None:
        super().__init__(meter, name, unit, description)
        self.boundaries = boundaries

    def record(
        self, amount: float, attributes: Mapping[str, Any] | None = None, context: Any = None
    ) -> None:
        """Record one value (at least 0) for *attributes*."""
        if (provider := _api._METER_PROVIDER) is not None:
            _measure(self, provider, amount, attributes, context)


class Gauge(_Synchronous):
    """A value that is set, not summed: a temperature, a configured limit."""

    __slots__ = ()
    kind = "gauge"

    def set(
        self, amount: float, attributes: Mapping[str, Any] | None = None, context: Any = None
    ) -> None:
        """Set the current value for *attributes*."""
        if (provider := _api._METER_PROVIDER) is not None:
            _measure(self, provider, amount, attributes, context)


class _Observable:
    """An instrument whose callbacks OpenTelemetry calls at each collection."""

    __slots__ = ("callbacks", "description", "meter", "name", "unit")

    kind = ""

    def __init__(
        self,
        meter: MeterFacade,
        name: str,
        callbacks: Sequence[Callback] | None,
        unit: str,
        description: str,
    ) -> None:
        self.meter = meter
        self.name = name
        self.callbacks = callbacks
        self.unit = unit
        self.description = description

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ObservableCounter(_Observable):
    """A monotonic sum read when metrics are collected, e.g. CPU time used."""

    __slots__ = ()
    kind = "observable_counter"


class ObservableUpDownCounter(_Observable):
    """A sum read when metrics are collected, e.g. the size of a pool."""

    __slots__ = ()
    kind = "observable_up_down_counter"


class ObservableGauge(_Observable):
    """A value read when metrics are collected, e.g. memory in use."""

    __slots__ = ()
    kind = "observable_gauge"


class MeterFacade:
    """A meter that is a no-op until the application sets a meter provider.

    Its ``create_*`` methods take OpenTelemetry's arguments and never fail;
    the instruments they return are checked against OpenTelemetry's rules
    only once measurements are really recorded.
    """

    __slots__ = ("_meter", "_provider", "attributes", "name", "schema_url", "version")

    def __init__(
        self,
        name: str,
        version: str | None = None,
        schema_url: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.schema_url = schema_url
        self.attributes = attributes
        self._provider: Any = None  # the provider _meter came from
        self._meter: Any = None

    def is_enabled(self) -> bool:
        """Whether a meter provider is set, so that measurements are recorded now.

        Lets callers skip work that only feeds metrics.
        """
        return _api._METER_PROVIDER is not None

    def create_counter(self, name: str, unit: str = "", description: str = "") -> Counter:
        """A :class:`Counter`: ``add`` non-negative amounts."""
        return Counter(self, name, unit, description)

    def create_up_down_counter(
        self, name: str, unit: str = "", description: str = ""
    ) -> UpDownCounter:
        """An :class:`UpDownCounter`: ``add`` positive or negative amounts."""
        return UpDownCounter(self, name, unit, description)

    def create_histogram(
        self,
        name: str,
        unit: str = "",
        description: str = "",
        *,
        explicit_bucket_boundaries_advisory: Sequence[float] | None = None,
    ) -> Histogram:
        """A :class:`Histogram`: ``record`` values; bucket boundaries are a hint to the SDK."""
        return Histogram(self, name, unit, description, explicit_bucket_boundaries_advisory)

    def create_gauge(self, name: str, unit: str = "", description: str = "") -> Gauge:
        """A :class:`Gauge`: ``set`` the current value."""
        return Gauge(self, name, unit, description)

    def create_observable_counter(
        self,
        name: str,
        callbacks: Sequence[Callback] | None = None,
        unit: str = "",
        description: str = "",
    ) -> ObservableCounter:
        """An :class:`ObservableCounter` whose *callbacks* report running totals."""
        return _observe(ObservableCounter(self, name, callbacks, unit, description))

    def create_observable_up_down_counter(
        self,
        name: str,
        callbacks: Sequence[Callback] | None = None,
        unit: str = "",
        description: str = "",
    ) -> ObservableUpDownCounter:
        """An :class:`ObservableUpDownCounter` whose *callbacks* report current sums."""
        return _observe(ObservableUpDownCounter(self, name, callbacks, unit, description))

    def create_observable_gauge(
        self,
        name: str,
        callbacks: Sequence[Callback] | None = None,
        unit: str = "",
        description: str = "",
    ) -> ObservableGauge:
        """An :class:`ObservableGauge` whose *callbacks* report current values."""
        return _observe(ObservableGauge(self, name, callbacks, unit, description))

    def __repr__(self) -> str:
        return f"MeterFacade({self.name!r})"


def get_meter(
    name: str,
    version: str | None = None,
    schema_url: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> MeterFacade:
    """Return the meter a library should use, named *name* (usually ``__name__``).

    Call it once per module, at import time; it costs nothing until the
    application sets a meter provider, and picks that provider up whenever
    it happens.
    """
    return MeterFacade(name, version, schema_url, attributes)


def _observe(instrument: _O) -> _O:
    """Register an observable instrument with OpenTelemetry, now or once it is loaded."""
    with _pending_lock:
        if _api is _NO_METRICS_API:
            if HAS_OPENTELEMETRY:
                _pending.append(instrument)
            return instrument
    from ._metrics.binding import register_observable

    register_observable(instrument)
    return instrument


def _opentelemetry_metrics_loaded(module: ModuleType) -> None:
    """OpenTelemetry's metrics API was imported: read the provider there from now on."""
    global _api
    from ._metrics.binding import provider_source, register_observable

    with _pending_lock:
        _api = provider_source(module)
        registered = list(_pending)
        _pending.clear()
    for instrument in registered:
        register_observable(instrument)


def _ignoring(method: Callable[..., None]) -> Callable[..., None]:
    """A no-op with *method*'s name and documentation."""

    def ignore(
        self: _Synchronous, amount: Any, attributes: Any = None, context: Any = None
    ) -> None:
        return None

    ignore.__name__ = ignore.__qualname__ = method.__name__
    ignore.__doc__ = method.__doc__
    return ignore


if HAS_OPENTELEMETRY:
    from ._after_import import call_after_import

    call_after_import(OPENTELEMETRY_METRICS, _opentelemetry_metrics_loaded)
else:
    # Without OpenTelemetry no provider can ever be set in this process, so the
    # measuring methods skip even the one attribute read.
    for _class, _method in (
        (Counter, "add"),
        (UpDownCounter, "add"),
        (Histogram, "record"),
        (Gauge, "set"),
    ):
        setattr(_class, _method, _ignoring(getattr(_class, _method)))
