"""``capture.metrics``: what a test's code recorded through ``get_meter`` instruments, only that.

Real parts throughout: pynector's meter facades, OpenTelemetry's SDK meter
provider (the capture's test provider or the application's own), real
observable callbacks, real threads and a fresh interpreter for
instruments made before OpenTelemetry was even imported.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable
from typing import Any

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY, get_meter, get_telemetry
from pynector.telemetry.metrics import CallbackOptions, Observation
from pynector.telemetry.testing import capture_telemetry
from support.metrics import values
from support.processes import run_python

tracer, log = get_telemetry("tests.capture.metrics")


def readers_of(provider: Any) -> int:
    """How many metric readers *provider* feeds (the SDK keeps one storage per reader)."""
    return len(provider._measurement_consumer._reader_storages)


@pytest.mark.requires_otel
def test_every_kind_of_instrument_as_plain_dicts() -> None:
    meter = get_meter("mylib")
    requests = meter.create_counter("mylib.requests", unit="{request}", description="served")
    inflight = meter.create_up_down_counter("mylib.inflight")
    duration = meter.create_histogram(
        "mylib.duration", unit="s", explicit_bucket_boundaries_advisory=[0.1, 1]
    )
    limit = meter.create_gauge("mylib.limit")

    def pool(options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(4, {"pool": "db"})]

    meter.create_observable_counter("mylib.cpu", [lambda options: [Observation(12.5)]], "s")
    meter.create_observable_up_down_counter("mylib.pool", [pool])
    meter.create_observable_gauge("mylib.memory", [lambda options: [Observation(2048)]], "By")

    with capture_telemetry() as capture:
        requests.add(1, {"route": "/"})
        requests.add(2, {"route": "/"})
        requests.add(1, {"route": "/health"})
        inflight.add(3)
        inflight.add(-1)
        duration.record(0.05)
        duration.record(0.5)
        duration.record(7)
        limit.set(10)
        limit.set(20)
        points = capture.metrics

    common = {"unit": "", "description": "", "scope": "mylib", "attributes": {}}
    assert points == [
        {**common, "name": "mylib.cpu", "kind": "observable_counter", "unit": "s", "value": 12.5},
        {
            **common,
            "name": "mylib.duration",
            "kind": "histogram",
            "unit": "s",
            "count": 3,
            "sum": 7.55,
            "min": 0.05,
            "max": 7,
            "buckets": {0.1: 1, 1.0: 1, math.inf: 1},
        },
        {**common, "name": "mylib.inflight", "kind": "up_down_counter", "value": 2},
        {**common, "name": "mylib.limit", "kind": "gauge", "value": 20},
        {**common, "name": "mylib.memory", "kind": "observable_gauge", "unit": "By", "value": 2048},
        {
            **common,
            "name": "mylib.pool",
            "kind": "observable_up_down_counter",
            "attributes": {"pool": "db"},
            "value": 4,
        },
        {
            **common,
            "name": "mylib.requests",
            "kind": "counter",
            "unit": "{request}",
            "description": "served",
            "attributes": {"route": "/"},
            "value": 3,
        },
        {
            **common,
            "name": "mylib.requests",
            "kind": "counter",
            "unit": "{request}",
            "description": "served",
            "attributes": {"route": "/health"},
            "value": 1,
        },
    ]


@pytest.mark.requires_otel
def test_each_capture_starts_empty_whatever_was_recorded_before() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    counter.add(100)  # no provider yet: a no-op
    with capture_telemetry() as first:
        counter.add(1)
    counter.add(50)  # the test provider is set now, but no capture reads it
    with capture_telemetry() as second:
        assert second.metrics == []
        counter.add(2)
        counter.add(3)
    assert first.metric("mylib.requests")["value"] == 1
    assert second.metric("mylib.requests")["value"] == 5


@pytest.mark.requires_otel
def test_with_no_provider_a_test_provider_without_readers_is_installed() -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider

    with capture_telemetry() as capture:
        provider: Any = metrics.get_meter_provider()
        assert isinstance(provider, MeterProvider)
        assert readers_of(provider) == 1  # the capture's own
    assert readers_of(provider) == 0  # between captures, measurements are dropped at once
    assert capture.metrics_unavailable is None


@pytest.mark.requires_otel
def test_with_the_applications_provider_its_reader_keeps_everything(metric_reader: Any) -> None:
    from opentelemetry import metrics

    counter = get_meter("mylib").create_counter("mylib.requests")
    counter.add(1)
    with capture_telemetry() as capture:
        counter.add(2)
        assert readers_of(metrics.get_meter_provider()) == 2
    counter.add(4)
    assert capture.metric("mylib.requests")["value"] == 2
    assert values(metric_reader) == {"mylib.requests": {(): 7}}
    assert readers_of(metrics.get_meter_provider()) == 1  # the capture's reader is gone


@pytest.mark.requires_otel
def test_opentelemetrys_own_instruments_are_captured_with_their_kind(metric_reader: Any) -> None:
    from opentelemetry import metrics
    from opentelemetry.metrics import Observation as OtelObservation

    meter = metrics.get_meter("direct")
    meter.create_observable_counter("direct.ticks", [lambda options: [OtelObservation(9)]])
    with capture_telemetry() as capture:
        meter.create_counter("direct.calls").add(1)
    assert [(point["name"], point["kind"], point["value"]) for point in capture.metrics] == [
        ("direct.calls", "counter", 1),
        ("direct.ticks", "observable_counter", 9),
    ]


@pytest.mark.requires_otel
def test_a_view_that_renames_or_changes_aggregation_is_read_as_the_data_says() -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

    views = [
        View(instrument_name="mylib.requests", name="mylib.renamed"),
        View(instrument_name="mylib.limit", name="mylib.ceiling"),
        View(
            instrument_name="mylib.duration",
            name="mylib.latency",
            aggregation=ExponentialBucketHistogramAggregation(),
        ),
    ]
    metrics.set_meter_provider(MeterProvider(views=views, shutdown_on_exit=False))
    meter = get_meter("mylib")
    with capture_telemetry() as capture:
        meter.create_counter("mylib.requests").add(2)
        meter.create_gauge("mylib.limit").set(5)
        meter.create_histogram("mylib.duration").record(3)
    ceiling, latency, renamed = capture.metrics
    # The provider's record of its instruments has other names: kinds come from the data.
    assert (renamed["name"], renamed["kind"], renamed["value"]) == ("mylib.renamed", "counter", 2)
    assert (ceiling["name"], ceiling["kind"], ceiling["value"]) == ("mylib.ceiling", "gauge", 5)
    assert (latency["kind"], latency["count"], latency["sum"]) == ("histogram", 1, 3)
    assert latency["buckets"] is None  # exponential buckets have no fixed bounds
    assert "metric 'mylib.latency' count=1 sum=3\n" in capture.format_metrics()


@pytest.mark.requires_otel
def test_callbacks_run_when_the_test_reads_the_metrics_and_once_at_the_end() -> None:
    calls: list[float] = []

    def queue_length(options: CallbackOptions) -> Iterable[Observation]:
        calls.append(options.timeout_millis)
        return [Observation(len(calls), {"queue": "jobs"})]

    get_meter("mylib").create_observable_gauge("mylib.queue", [queue_length])
    with capture_telemetry() as capture:
        assert calls == []  # starting a capture calls nothing
        assert capture.metric("mylib.queue", queue="jobs")["value"] == 1
        assert capture.metric("mylib.queue")["value"] == 2
    assert len(calls) == 3  # the last collection, as the capture ended
    assert capture.metric("mylib.queue")["value"] == 3
    assert len(calls) == 3  # an ended capture only reads what it kept


@pytest.mark.requires_otel
def test_metric_finds_one_point_or_lists_what_was_captured() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests", unit="{request}")
    with capture_telemetry(deterministic=True) as capture:
        with tracer.start_as_current_span("handle"):
            counter.add(1, {"route": "/", "method": "GET"})
        counter.add(1, {"route": "/health", "method": "GET"})
    assert capture.metric("mylib.requests", route="/")["value"] == 1
    assert [point["attributes"]["route"] for point in capture.find_metrics(method="GET")] == [
        "/",
        "/health",
    ]
    with pytest.raises(AssertionError) as failure:
        capture.metric("mylib.requests", method="GET")
    assert str(failure.value) == (
        "expected exactly one metric point 'mylib.requests' with {'method': 'GET'}, found 2\n\n"
        "--- trace 00000000000000000000000000000001 ---\n"
        "00:00:01.000     1.00 s         handle\n"
        "--- metrics ---\n"
        "metric 'mylib.requests' unit={request} route='/' method='GET' value=1\n"
        "metric 'mylib.requests' unit={request} route='/health' method='GET' value=1\n"
    )
    with pytest.raises(AssertionError, match="expected exactly one metric point 'gone', found 0"):
        capture.metric("gone")


@pytest.mark.requires_otel
def test_deterministic_spans_and_logs_are_unchanged_by_metrics() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    with capture_telemetry(deterministic=True) as capture:
        with tracer.start_as_current_span("outer"):
            counter.add(1)
            with tracer.start_as_current_span("inner"):
                counter.add(1)
        # A collection in the middle creates no span and no time.
        assert capture.metric("mylib.requests")["value"] == 2
    assert [(s["span_id"], s["start"], s["end"]) for s in capture.spans] == [
        ("0000000000000001", 1_000_000_000, 4_000_000_000),
        ("0000000000000002", 2_000_000_000, 3_000_000_000),
    ]
    assert capture.metric("mylib.requests")["value"] == 2


@pytest.mark.requires_otel
def test_nested_captures_each_see_what_happened_while_they_were_active() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    with capture_telemetry() as outer:
        counter.add(1)
        with capture_telemetry() as inner:
            counter.add(10)
        counter.add(100)
    assert outer.metric("mylib.requests")["value"] == 111
    assert inner.metric("mylib.requests")["value"] == 10


@pytest.mark.requires_otel
def test_clear_starts_the_metrics_again_from_zero() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    with capture_telemetry() as capture:
        counter.add(5)
        capture.clear()
        assert capture.metrics == []
        counter.add(2)
    assert capture.metric("mylib.requests")["value"] == 2
    capture.clear()
    assert capture.metrics == []


@pytest.mark.requires_otel
def test_measurements_from_many_threads_all_count() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    histogram = get_meter("mylib").create_histogram("mylib.size")

    def work() -> None:
        for size in range(1000):
            counter.add(1, {"worker": "pool"})
            histogram.record(size)

    with capture_telemetry() as capture:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert capture.metric("mylib.requests", worker="pool")["value"] == 8000
    size = capture.metric("mylib.size")
    assert (size["count"], size["sum"], size["min"], size["max"]) == (8000, 8 * 499500, 0, 999)
    assert sum(size["buckets"].values()) == 8000


@pytest.mark.requires_otel
def test_attributes_are_captured_as_the_meter_provider_receives_them() -> None:
    counter = get_meter("mylib").create_counter("mylib.logins")
    with capture_telemetry() as capture:
        counter.add(1, {"route": "/login", "password": "hunter2"})
    # configure_telemetry was not called: pynector redacts at its boundary,
    # before any meter provider (the capture's included) sees the attributes.
    assert capture.metric("mylib.logins")["attributes"] == {
        "route": "/login",
        "password": "[REDACTED]",
    }


IMPORT_TIME_INSTRUMENTS = """
    import json, sys
    from pynector.telemetry import get_meter
    from pynector.telemetry.metrics import Observation

    # A library module's top level: nothing of OpenTelemetry is loaded yet.
    meter = get_meter("lib")
    hits = meter.create_counter("lib.hits")
    pool = meter.create_observable_up_down_counter("lib.pool", [lambda options: [Observation(4)]])
    hits.add(1)
    loaded_before = "opentelemetry.metrics" in sys.modules

    from pynector.telemetry.testing import capture_telemetry

    with capture_telemetry() as capture:
        hits.add(2)
    print(json.dumps({
        "loaded_before": loaded_before,
        "metrics": [[p["name"], p["kind"], p["value"]] for p in capture.metrics],
        "unavailable": capture.metrics_unavailable,
    }))
"""


def run_import_time_instruments() -> dict[str, Any]:
    result = run_python(IMPORT_TIME_INSTRUMENTS)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    seen: dict[str, Any] = json.loads(result.stdout)
    assert seen["loaded_before"] is False
    return seen


@pytest.mark.requires_otel
def test_instruments_made_at_import_time_before_opentelemetry_are_captured() -> None:
    seen = run_import_time_instruments()
    assert seen["metrics"] == [
        ["lib.hits", "counter", 2],
        ["lib.pool", "observable_up_down_counter", 4],
    ]
    assert seen["unavailable"] is None


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="the no-dependency configuration")
def test_without_opentelemetry_import_time_instruments_stay_silent_in_a_capture() -> None:
    seen = run_import_time_instruments()
    assert seen["metrics"] == []
    assert seen["unavailable"].startswith("OpenTelemetry is not installed")


@pytest.mark.requires_otel
def test_a_provider_that_is_not_the_sdks_is_explained() -> None:
    from opentelemetry import metrics

    metrics.set_meter_provider(metrics.NoOpMeterProvider())
    with capture_telemetry() as capture:
        get_meter("mylib").create_counter("mylib.requests").add(1)
    assert capture.metrics == []
    assert capture.metrics_unavailable == (
        "the global meter provider is a NoOpMeterProvider, not the OpenTelemetry SDK's "
        "MeterProvider, so its measurements cannot be observed"
    )
    assert repr(capture.metrics).startswith("[]  (nothing captured: the global meter provider")


@pytest.mark.requires_otel
def test_a_disabled_sdk_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    with capture_telemetry() as capture:
        get_meter("mylib").create_counter("mylib.requests").add(1)
    assert capture.metrics_unavailable == (
        "the OpenTelemetry SDK is disabled (OTEL_SDK_DISABLED=true)"
    )


@pytest.mark.requires_otel
def test_a_provider_already_shut_down_is_explained(metric_reader: Any) -> None:
    from opentelemetry import metrics

    metrics.get_meter_provider().shutdown()  # type: ignore[attr-defined]
    with capture_telemetry() as capture:
        pass
    assert capture.metrics_unavailable == "the global meter provider has been shut down"


@pytest.mark.requires_otel
def test_an_sdk_that_cannot_add_readers_later_is_explained() -> None:
    from opentelemetry import metrics
    from opentelemetry.sdk.metrics import MeterProvider

    class OlderMeterProvider(MeterProvider):
        """As the SDK's MeterProvider was before it could take a reader once set."""

        add_metric_reader = None  # type: ignore[assignment]

    metrics.set_meter_provider(OlderMeterProvider(shutdown_on_exit=False))
    with capture_telemetry() as capture:
        pass
    assert capture.metrics_unavailable == (
        "this opentelemetry-sdk cannot add a reader to a meter provider that is already set "
        "(MeterProvider.add_metric_reader); upgrade opentelemetry-sdk"
    )


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="the no-dependency configuration")
def test_without_opentelemetry_no_metrics_are_captured_and_the_capture_says_why() -> None:
    counter = get_meter("mylib").create_counter("mylib.requests")
    with capture_telemetry() as capture:
        counter.add(1)
    reason = 'OpenTelemetry is not installed (pip install "pynector[observability]")'
    assert capture.metrics_unavailable == reason
    assert capture.metrics == []
    assert repr(capture.metrics) == f"[]  (nothing captured: {reason})"
    with pytest.raises(AssertionError) as failure:
        capture.metric("mylib.requests")
    assert f"(no metrics captured: {reason})" in str(failure.value)
    capture.clear()  # nothing to forget, and no failure
