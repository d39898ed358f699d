"""One bad span must not sink its batch: sanitised when possible, else set aside alone.

Against a real collector, over HTTP and gRPC: a lone surrogate, a 10 MB
attribute and an integer beyond 64 bits arrive sanitised with the 97 good
spans around them; a span that cannot be fixed (its instrumentation scope
name cannot be encoded) is the only one lost, and is reported in one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from support.otlp_apps import PROTOCOLS, otlp_env, run_app

if TYPE_CHECKING:
    from support.collector import Collector

pytestmark = pytest.mark.requires_otel

# 100 spans; three carry a value that made the whole batch fail.
BAD_VALUES_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

tracer, log = get_telemetry("delivery.bad")
configure_telemetry()
for i in range(100):
    name, attributes = "span", {"i": i}
    if i == 10:
        name = "lone \\udcff surrogate"
    elif i == 20:
        attributes["big"] = "x" * 10_000_000
    elif i == 30:
        attributes["huge"] = 2**100
    with tracer.start_as_current_span(name, attributes):
        pass
print(f"done {time.time()}", flush=True)
"""

# 100 good spans, and one from a tracer whose scope name cannot be encoded.
UNFIXABLE_APP = """
import sys, time
from pynector.telemetry import configure_telemetry, get_telemetry

good, _ = get_telemetry("delivery.good")
bad, _ = get_telemetry("delivery.\\udcff")
configure_telemetry()
for i in range(100):
    with good.start_as_current_span("span", {"i": i}):
        pass
    if i == 50:
        with bad.start_as_current_span("unfixable", {"i": i}):
            pass
print(f"done {time.time()}", flush=True)
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_bad_values_are_sanitised_and_the_batch_arrives(
    collector: Collector, protocol: str
) -> None:
    result, _ = run_app(BAD_VALUES_APP, [], otlp_env(collector, protocol))
    spans = {span["attributes"]["i"]: span for span in collector.wait_for(100)}
    assert sorted(spans) == list(range(100))
    assert spans[10]["name"] == "lone \ufffd surrogate"
    assert spans[20]["attributes"]["big"] == "x" * 4096  # the default length limit
    assert spans[30]["attributes"]["huge"] == str(2**100)
    assert all(spans[i]["name"] == "span" for i in range(100) if i != 10)
    assert result.stderr == ""
    print(f"{protocol}: 100 of 100 delivered (3 sanitised), stderr {len(result.stderr)} bytes")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_the_length_limit_comes_from_the_environment(collector: Collector, protocol: str) -> None:
    env = otlp_env(collector, protocol, OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT="100")
    run_app(BAD_VALUES_APP, [], env)
    spans = {span["attributes"]["i"]: span for span in collector.wait_for(100)}
    assert spans[20]["attributes"]["big"] == "x" * 100


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_span_that_cannot_be_encoded_is_the_only_one_lost(
    collector: Collector, protocol: str
) -> None:
    result, _ = run_app(UNFIXABLE_APP, [], otlp_env(collector, protocol))
    spans = collector.wait_for(100)
    assert sorted(span["attributes"]["i"] for span in spans) == list(range(100))
    assert {span["name"] for span in spans} == {"span"}
    lines = result.stderr.splitlines()
    reports = [line for line in lines if "not delivered" in line]
    assert len(reports) == 1, result.stderr
    assert "1 of 101 spans were not delivered" in reports[0]
    assert "1 could not be sent (could not be encoded: UnicodeEncodeError" in reports[0]
    assert len(lines) <= 2, result.stderr  # at most one warning besides the report
    print(f"{protocol}: 100 of 101 delivered; {reports[0]}")
