"""Exporter names become processors the same way for every signal."""

from __future__ import annotations

import warnings

from pynector.telemetry._export.named_exporters import build_named


def missing(settings: str) -> str:
    raise ModuleNotFoundError("No module named 'zipkin_lib'", name="zipkin_lib")


def test_each_name_in_order_and_a_missing_package_costs_one_warning() -> None:
    factories = {
        "console": (lambda settings: f"console for {settings}", "observability"),
        "zipkin": (missing, "zipkin"),
        "otlp": (lambda settings: f"otlp for {settings}", "otlp"),
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = build_named(
            ["otlp", "zipkin", "console"],
            factories,
            "s",
            kind="trace",
            carries_on="Tracing continues",
            warning_key="test-named-exporters",
        )
        build_named(  # the same problem again: no second warning
            ["zipkin"],
            factories,
            "s",
            kind="trace",
            carries_on="Tracing continues",
            warning_key="test-named-exporters",
        )
    assert built == [("otlp", "otlp for s"), ("console", "console for s")]
    assert [str(warning.message) for warning in caught] == [
        "The 'zipkin' trace exporter needs zipkin_lib, which is not installed. Install it "
        'with: pip install "pynector[zipkin]". Tracing continues without this exporter.'
    ]
