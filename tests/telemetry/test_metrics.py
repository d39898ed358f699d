"""The meter facade: free and silent until a meter provider is set, then OpenTelemetry's.

Library code gets a meter at import time, before any configuration; these
tests make instruments first and set the provider afterwards, as an
application does.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Generator, Iterator
from typing import Any

import pytest

import pynector.telemetry
from pynector.telemetry import HAS_OPENTELEMETRY, get_meter
from pynector.telemetry.metrics import CallbackOptions, MeterFacade, Observation
from support.metrics import collect, values
from support.processes import run_python

from .test_layout import HOT_PATH

meter = get_meter("tests.metrics", version="1.0")

#: Instruments made at import time, before any provider exists.
requests = meter.create_counter("tests.requests", unit="{request}", description="Requests")
in_flight = meter.create_up_down_counter("tests.in_flight")
duration = meter.create_histogram(
    "tests.duration", unit="s", explicit_bucket_boundaries_advisory=[0.1, 1.0, 10.0]
)
temperature = meter.create_gauge("tests.temperature", unit="Cel")


def use_every_instrument(amount: Any, attributes: Any) -> None:
    requests.add(amount, attributes)
    in_flight.add(amount, attributes)
    duration.record(amount, attributes)
    temperature.set(amount, attributes)


ANY_INPUT = [
    (1, {"route": "/"}),
    (-1, None),
    ("three", {"x": object()}),
    (float("nan"), [1, 2]),
    (None, {3: None}),
    (10**100, {"nested": {"a": [1]}}),
]


def test_get_meter_is_in_the_package() -> None:
    assert pynector.telemetry.get_meter is get_meter
    assert "get_meter" in pynector.telemetry.__all__
    assert isinstance(meter, MeterFacade)
    assert (meter.name, meter.version) == ("tests.metrics", "1.0")
    assert repr(requests) == "Counter('tests.requests')"


def test_without_a_provider_every_call_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    gauge = meter.create_observable_gauge(
        "tests.observed", callbacks=[lambda options: [Observation(1)]]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        for amount, attributes in ANY_INPUT:
            use_every_instrument(amount, attributes)
        assert meter.is_enabled() is False
        meter.create_counter(None, unit=object(), description=3).add(1)  # type: ignore[arg-type]
    assert capsys.readouterr() == ("", "")
    assert repr(gauge) == "ObservableGauge('tests.observed')"


def test_without_opentelemetry_the_methods_are_plain_no_ops() -> None:
    if HAS_OPENTELEMETRY:
        pytest.skip("measured in the configuration without OpenTelemetry")
    from pynector.telemetry.metrics import Counter

    assert Counter.add.__doc__ is not None
    assert "amount" in Counter.add.__doc__
    requests.add(1)


LOADED_BY_METRICS = """
    import json, sys
    before = set(sys.modules)
    from pynector.telemetry import get_meter
    meter = get_meter("lib")
    meter.create_counter("lib.requests").add(1, {"route": "/"})
    meter.create_histogram("lib.duration").record(0.5)
    meter.create_observable_gauge("lib.queue", callbacks=[lambda options: [1]])
    print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_using_a_meter_loads_the_light_facade_only() -> None:
    result = run_python(LOADED_BY_METRICS)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    ours = {name for name in loaded if name.startswith("pynector")}
    expected = HOT_PATH | {"pynector.telemetry.metrics"}
    if HAS_OPENTELEMETRY:  # it watches for OpenTelemetry's metrics API
        expected.add("pynector.telemetry._after_import")
    assert ours == expected
    # atexit: built in, for the package's exit hook (already loaded under coverage)
    assert loaded - ours <= {"__future__", "atexit", "opentelemetry"}


@pytest.mark.requires_otel
def test_instruments_made_before_the_provider_report_once_it_is_set(metric_reader: Any) -> None:
    requests.add(2, {"route": "/"})
    requests.add(3, {"route": "/"})
    requests.add(1, {"route": "/health"})
    in_flight.add(5)
    in_flight.add(-2)
    for seconds in (0.05, 0.5, 5.0, 50.0):
        duration.record(seconds, {"route": "/"})
    temperature.set(21.5)
    temperature.set(19.0)
    assert meter.is_enabled()
    found = values(metric_reader)
    assert found["tests.requests"] == {(("route", "/"),): 5, (("route", "/health"),): 1}
    assert found["tests.in_flight"] == {(): 3}
    assert found["tests.duration"] == {(("route", "/"),): 55.55}
    assert found["tests.temperature"] == {(): 19.0}
    (histogram,) = collect(metric_reader)["tests.duration"]
    assert list(histogram.explicit_bounds) == [0.1, 1.0, 10.0]
    assert list(histogram.bucket_counts) == [1, 1, 1, 1]


@pytest.mark.requires_otel
def test_scope_unit_and_description_reach_opentelemetry(metric_reader: Any) -> None:
    requests.add(1)
    data = metric_reader.get_metrics_data()
    (scope_metrics,) = data.resource_metrics[0].scope_metrics
    assert (scope_metrics.scope.name, scope_metrics.scope.version) == ("tests.metrics", "1.0")
    (metric,) = scope_metrics.metrics
    assert (metric.name, metric.unit, metric.description) == (
        "tests.requests",
        "{request}",
        "Requests",
    )


@pytest.mark.requires_otel
def test_measurements_before_the_provider_are_not_kept(metric_reader: Any) -> None:
    from opentelemetry import metrics

    from support.hermetic import reset_opentelemetry

    reset_opentelemetry()
    requests.add(100)  # no provider: dropped
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader], shutdown_on_exit=False))
    requests.add(1)
    assert values(reader)["tests.requests"] == {(): 1}


@pytest.mark.requires_otel
def test_a_new_provider_gets_new_real_instruments(metric_reader: Any) -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    from support.hermetic import reset_opentelemetry

    requests.add(7)
    assert values(metric_reader)["tests.requests"] == {(): 7}
    reset_opentelemetry()
    second = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[second], shutdown_on_exit=False))
    requests.add(1)
    assert values(second)["tests.requests"] == {(): 1}


@pytest.mark.requires_otel
def test_observable_instruments_are_called_at_each_collection(metric_reader: Any) -> None:
    calls: list[CallbackOptions] = []
    queue = [1, 2, 3]

    def queue_size(options: CallbackOptions) -> list[Observation]:
        calls.append(options)
        return [Observation(len(queue), {"queue": "jobs"})]

    def total(options: CallbackOptions) -> Iterator[Observation]:
        yield Observation(42)

    def pages() -> Generator[list[Observation], CallbackOptions, None]:
        # A generator, as OpenTelemetry allows: primed once, then sent the options.
        served = 0
        yield []
        while True:
            served += 10
            yield [Observation(served)]

    meter.create_observable_up_down_counter("tests.queue", callbacks=[queue_size])
    meter.create_observable_counter("tests.total", callbacks=[total])
    meter.create_observable_gauge("tests.pages", callbacks=[pages()])
    assert values(metric_reader) == {
        "tests.queue": {(("queue", "jobs"),): 3},
        "tests.total": {(): 42},
        "tests.pages": {(): 10},
    }
    queue.append(4)
    assert values(metric_reader)["tests.queue"] == {(("queue", "jobs"),): 4}
    assert values(metric_reader)["tests.pages"] == {(): 30}
    assert len(calls) == 3
    assert all(isinstance(options, CallbackOptions) for options in calls)
    assert calls[0].timeout_millis > 0


@pytest.mark.requires_otel
def test_observable_instruments_made_before_the_provider_report_once_it_is_set() -> None:
    # OpenTelemetry is already loaded in this process, so this registers with
    # its proxy, which binds when the provider is set.
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    meter.create_observable_gauge("tests.early", callbacks=[lambda options: [Observation(5)]])
    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader], shutdown_on_exit=False))
    assert values(reader) == {"tests.early": {(): 5}}


# In a fresh interpreter: the library is imported before OpenTelemetry is,
# then the application imports it and sets up metrics.
LATE_OWN_PROVIDER = """
    import sys
    from pynector.telemetry import get_meter
    from pynector.telemetry.metrics import Observation

    meter = get_meter("lib")
    hits = meter.create_counter("lib.hits")
    size = meter.create_observable_gauge("lib.size", callbacks=[lambda o: [Observation(9)]])
    hits.add(100)  # nothing set yet: dropped
    assert "opentelemetry.metrics" not in sys.modules

    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    hits.add(2)
    hits.add(3)
    found = {}
    for rm in reader.get_metrics_data().resource_metrics:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                found[m.name] = [p.value for p in m.data.data_points]
    print(sorted(found.items()))
    print(type(sys.modules["opentelemetry.metrics"].__loader__).__name__)
"""


@pytest.mark.requires_otel
def test_late_own_provider_in_a_fresh_process() -> None:
    result = run_python(LATE_OWN_PROVIDER)
    assert result.returncode == 0, result.stderr
    found, loader = result.stdout.splitlines()
    assert found == "[('lib.hits', [5]), ('lib.size', [9])]"
    assert loader == "SourceFileLoader"  # the import looks untouched
    assert result.stderr == ""


def test_after_import_runs_the_callback_once_the_module_has_executed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pynector.telemetry._after_import import call_after_import

    (tmp_path / "pynector_probe_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pynector_probe_module", raising=False)
    seen: list[int] = []

    def callback(module: Any) -> None:
        seen.append(module.VALUE)
        raise RuntimeError("a failing hook must not break the import")

    meta_path = list(sys.meta_path)
    call_after_import("pynector_probe_module", callback)
    assert len(sys.meta_path) == len(meta_path) + 1
    import pynector_probe_module  # type: ignore[import-not-found]

    assert seen == [1]
    assert sys.meta_path == meta_path  # the finder removed itself
    assert type(pynector_probe_module.__loader__).__name__ == "SourceFileLoader"
    call_after_import("pynector_probe_module", callback)  # already imported: at once
    assert seen == [1, 1]
    monkeypatch.delitem(sys.modules, "pynector_probe_module")


@pytest.mark.requires_otel
def test_without_opentelemetrys_private_global_the_public_api_is_read(
    metric_reader: Any,
) -> None:
    import types

    from opentelemetry import metrics

    from pynector.telemetry._metrics.binding import _GlobalProviderLookup, provider_source

    assert provider_source(metrics) is sys.modules["opentelemetry.metrics._internal"]
    lookup = provider_source(types.ModuleType("elsewhere.metrics"))
    assert isinstance(lookup, _GlobalProviderLookup)
    public = _GlobalProviderLookup(metrics)
    assert public._METER_PROVIDER is metrics.get_meter_provider()  # the fixture's
    from support.hermetic import reset_opentelemetry

    reset_opentelemetry()
    assert public._METER_PROVIDER is None  # only OpenTelemetry's proxy: no provider


@pytest.mark.requires_otel
def test_an_observations_context_reaches_opentelemetry() -> None:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import AlwaysOnExemplarFilter, MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    provider = MeterProvider(
        metric_readers=[reader], exemplar_filter=AlwaysOnExemplarFilter(), shutdown_on_exit=False
    )
    metrics.set_meter_provider(provider)  # hermetic_telemetry unsets it afterwards
    span_context = trace.SpanContext(0xABC, 0xDEF, is_remote=False, trace_flags=trace.TraceFlags(1))
    context = trace.set_span_in_context(trace.NonRecordingSpan(span_context))
    meter.create_observable_counter(
        "tests.with_context", callbacks=[lambda options: [Observation(3, None, context)]]
    )
    (point,) = collect(reader)["tests.with_context"]
    (exemplar,) = point.exemplars
    assert (exemplar.trace_id, exemplar.span_id) == (0xABC, 0xDEF)
