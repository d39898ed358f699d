"""Bad input to the meter facade never raises: one warning per problem, then dropped or coerced.

These run with a real SDK meter provider set, since that is when input is
checked (unconfigured, every call is a no-op; see ``test_metrics.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from pynector.telemetry import TelemetryWarning, get_meter
from pynector.telemetry._attributes import coerce_metric_attributes
from pynector.telemetry._metrics.validation import (
    bucket_boundaries,
    checked_amount,
    instrument_name,
    instrument_unit,
)
from pynector.telemetry.metrics import Observation
from support.metrics import collect, values

pytestmark = pytest.mark.requires_otel

meter = get_meter("tests.metrics_input")


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning raised in the test, in order."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        yield record


def messages(caught: list[warnings.WarningMessage]) -> list[str]:
    assert all(w.category is TelemetryWarning for w in caught), caught
    return [str(w.message) for w in caught]


def test_a_negative_count_is_dropped_with_one_warning(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    counter = meter.create_counter("input.count")
    for _ in range(100):
        counter.add(-1)
    counter.add(2)
    assert values(metric_reader)["input.count"] == {(): 2}
    assert messages(caught) == [
        "Instrument 'input.count': -1 is negative (counters only go up); the measurement "
        "was dropped. This warning is shown once per instrument."
    ]


@pytest.mark.parametrize("amount", ["3", None, b"1", object(), 1j, True, [1]])
def test_a_non_numeric_amount_is_dropped_with_one_warning(
    metric_reader: Any, caught: list[warnings.WarningMessage], amount: object
) -> None:
    counter = meter.create_up_down_counter("input.non_numeric")
    counter.add(amount)  # type: ignore[arg-type]
    counter.add(amount)  # type: ignore[arg-type]
    counter.add(1)
    assert values(metric_reader)["input.non_numeric"] == {(): 1}
    (message,) = messages(caught)
    assert "is not a number; the measurement was dropped" in message


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), -float("inf"), -(10**400)])
def test_a_non_finite_amount_is_dropped(
    metric_reader: Any, caught: list[warnings.WarningMessage], amount: float
) -> None:
    gauge = meter.create_gauge("input.gauge")
    gauge.set(amount)
    gauge.set(4)
    assert values(metric_reader)["input.gauge"] == {(): 4}
    (message,) = messages(caught)
    assert "is not a finite number" in message


def test_real_numbers_of_any_type_are_accepted_silently(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    class Numpyish:  # a numeric scalar type that only converts to float
        def __float__(self) -> float:
            return 0.25

    histogram = meter.create_histogram("input.real")
    for amount in (Decimal("1.5"), Fraction(1, 4), Numpyish(), 2**70, 1):
        histogram.record(amount)  # type: ignore[arg-type]
    assert values(metric_reader)["input.real"] == {(): 1.5 + 0.25 + 0.25 + 2.0**70 + 1}
    assert caught == []


def test_a_negative_histogram_value_is_dropped(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    histogram = meter.create_histogram("input.latency")
    histogram.record(-0.5)
    histogram.record(0.5)
    assert values(metric_reader)["input.latency"] == {(): 0.5}
    assert len(messages(caught)) == 1


def test_odd_attributes_are_coerced_with_one_warning(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    counter = meter.create_counter("input.attributes")
    odd: dict[Any, Any] = {"codes": [200, 204], "user": {"id": 7}, 3: b"x", "none": None}
    counter.add(1, odd)
    counter.add(1, dict(odd))
    counter.add(1, ["not", "a", "mapping"])  # type: ignore[arg-type]
    assert values(metric_reader)["input.attributes"] == {
        (("3", "x"), ("codes", (200, 204)), ("user", '{"id": 7}')): 2,
        (): 1,
    }
    texts = messages(caught)
    assert len(texts) == 2
    assert texts[0].startswith("Metric attributes must be str, bool, int, float")
    assert texts[1].startswith("Metric attributes must be a mapping")


def test_invalid_names_units_and_boundaries_are_fixed_with_a_warning(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    meter.create_counter("http requests", unit="µs").add(1)
    meter.create_counter("2xx").add(1)
    meter.create_counter("").add(1)
    meter.create_counter(None).add(1)  # type: ignore[arg-type]
    meter.create_histogram(
        "input.buckets",
        explicit_bucket_boundaries_advisory=[10, 1, "x"],  # type: ignore[list-item]
    ).record(3)
    found = collect(metric_reader)
    assert set(found) == {"http_requests", "metric_2xx", "metric_", "none", "input.buckets"}
    (histogram,) = found["input.buckets"]
    assert len(histogram.explicit_bounds) > 3  # the SDK's defaults
    texts = messages(caught)
    assert len(texts) == 6
    assert "Invalid instrument name 'http requests'" in texts[0]
    assert "invalid unit 'µs'" in texts[1]
    assert "explicit_bucket_boundaries_advisory must be increasing" in texts[-1]


def test_odd_meter_arguments_are_accepted(metric_reader: Any) -> None:
    odd = get_meter("", version=None, attributes={"team": ["a", "b"]})
    odd.create_counter("input.odd_meter").add(1)
    data = metric_reader.get_metrics_data()
    (scope_metrics,) = data.resource_metrics[0].scope_metrics
    assert scope_metrics.scope.name == "unknown"


def test_failing_callbacks_report_nothing_and_warn_once(
    metric_reader: Any, caught: list[warnings.WarningMessage]
) -> None:
    def broken(options: object) -> list[Observation]:
        raise RuntimeError("boom")

    def mixed(options: object) -> list[Any]:
        return [
            Observation(1, {"kind": "ok"}),
            Observation("x"),  # type: ignore[arg-type]
            Observation(-5),
            2,
        ]

    meter.create_observable_gauge("input.broken", callbacks=[broken])
    meter.create_observable_counter("input.mixed", callbacks=[mixed])
    meter.create_observable_gauge("input.not_callable", callbacks=[42])  # type: ignore[list-item]
    meter.create_observable_gauge("input.single", callbacks=lambda o: [7])  # type: ignore[arg-type]
    for _ in range(3):
        found = values(metric_reader)
    assert found == {"input.mixed": {(("kind", "ok"),): 1, (): 2}, "input.single": {(): 7}}
    texts = sorted(messages(caught))
    assert len(texts) == 4, texts  # one per problem, however many collections
    assert texts[0] == "A callback of 'input.not_callable' is not callable (42); it is ignored."
    assert texts[1] == (
        "Instrument 'input.mixed': 'x' is not a number; the measurement was dropped. "
        "This warning is shown once per instrument."
    )
    assert "'input.mixed': -5 is negative" in texts[2]
    assert texts[3].startswith("The callback of 'input.broken' failed (RuntimeError('boom'))")


def test_a_provider_that_cannot_make_instruments_costs_one_warning(
    caught: list[warnings.WarningMessage],
) -> None:
    from opentelemetry import metrics

    class BrokenProvider(metrics.MeterProvider):
        def get_meter(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("no meters today")

    metrics.set_meter_provider(BrokenProvider())
    counter = meter.create_counter("input.broken_provider")
    for _ in range(3):
        counter.add(1)
    meter.create_observable_gauge("input.broken_observable", callbacks=[lambda o: []])
    texts = messages(caught)
    assert len(texts) == 2
    assert texts[0].startswith("Cannot create the counter 'input.broken_provider'")


def test_a_failing_record_costs_one_warning(caught: list[warnings.WarningMessage]) -> None:
    from opentelemetry import metrics

    class Failing:
        def add(self, *args: Any) -> None:
            raise ValueError("full")

    class Meter:
        def create_counter(self, *args: Any, **kwargs: Any) -> Failing:
            return Failing()

    class Provider(metrics.MeterProvider):
        def get_meter(self, *args: Any, **kwargs: Any) -> Any:
            return Meter()

    metrics.set_meter_provider(Provider())
    counter = meter.create_counter("input.failing")
    counter.add(1)
    counter.add(1)
    (message,) = messages(caught)
    assert "failed to record a measurement (ValueError('full'))" in message


def test_validation_rules() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert instrument_name("a" * 300) == "a" * 255
        assert instrument_name("ok.name-1/x_y") == "ok.name-1/x_y"
        assert instrument_name("é") == "metric__"
        assert instrument_unit("n", None) == ""
        assert instrument_unit("n", 5) == ""
        assert bucket_boundaries("n", "0,1") is None
        assert bucket_boundaries("n", [1, float("nan")]) is None
        assert bucket_boundaries("n", [True, 2]) is None
        assert checked_amount("observable_counter", "n", -1) is None
        assert checked_amount("gauge", "n", -(2**70)) == -(2.0**70)
    assert coerce_metric_attributes(None) is None
    plain = {"a": 1}
    assert coerce_metric_attributes(plain) is plain
