"""Odd values never raise into the caller: they are coerced or dropped, with one warning."""

from __future__ import annotations

import json
import logging
import warnings
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from pynector.telemetry._attributes import coerce_attributes, coerce_value, safe_repr
from support.logs import without_root_handlers

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

tracer, log = get_telemetry("tests.odd_input")


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    __repr__ = __str__


# Deliberately not the declared Mapping[str, AttributeValue]: keys and values
# no attribute may have, which must be coerced or dropped, never raise.
ODD_ATTRIBUTES: dict[object, object] = {
    "none": None,
    "dict": {"a": 1, "nested": [1, 2]},
    "object": object(),
    "bytes": b"caf\xc3\xa9",
    "bad_bytes": b"\xff\xfe",
    7: "int key",
    "mixed": [1, "a", None],
    "ints": (1, 2, 3),
    "numbers": [1, 2.5],
    "set": {"x"},
    "unprintable": Unprintable(),
    "": "empty key",
    "ok": "fine",
}


def test_coercion_rules() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        coerced = coerce_attributes(ODD_ATTRIBUTES)
        coerce_attributes({"again": None})
    assert [w.category for w in record] == [TelemetryWarning]
    assert "shown once per process" in str(record[0].message)
    assert coerced is not None
    assert coerced == {
        "dict": '{"a": 1, "nested": [1, 2]}',
        "object": coerced["object"],
        "bytes": "café",
        "bad_bytes": "\ufffd\ufffd",
        "7": "int key",
        "mixed": ("1", "a", None),
        "ints": (1, 2, 3),
        "numbers": (1.0, 2.5),
        "set": ("x",),
        "unprintable": "<unprintable Unprintable>",
        "ok": "fine",
    }
    assert coerced["object"].startswith("<object object at")


def test_valid_attributes_pass_through_without_copy_or_warning() -> None:
    attributes = {"a": 1, "b": "x", "c": True, "d": 1.5}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert coerce_attributes(attributes) is attributes
        assert coerce_attributes(None) is None


def test_keys_json_cannot_take_become_text() -> None:
    assert coerce_value({(1, 2): "tuple key"}) == '{"(1, 2)": "tuple key"}'
    assert safe_repr(Unprintable()) == "<unprintable Unprintable>"


def test_noop_path_accepts_anything() -> None:
    with tracer.start_as_current_span("x", ODD_ATTRIBUTES) as span:  # type: ignore[arg-type]
        span.set_attribute("k", Unprintable())
        span.add_event("e", {"a": None})
        span.record_exception(ValueError())
        span.set_status(None)


@pytest.mark.requires_otel
def test_real_spans_get_coerced_attributes(span_exporter: InMemorySpanExporter) -> None:
    with (
        pytest.warns(TelemetryWarning),
        tracer.start_as_current_span("odd", ODD_ATTRIBUTES),  # type: ignore[arg-type]
    ):
        pass
    tracer.start_span("manual", {"n": None, "d": {}}).end()
    odd, manual = span_exporter.get_finished_spans()
    assert odd.attributes is not None
    assert manual.attributes is not None
    assert odd.attributes["dict"] == '{"a": 1, "nested": [1, 2]}'
    assert odd.attributes["7"] == "int key"
    assert "none" not in odd.attributes
    assert dict(manual.attributes) == {"d": "{}"}


@pytest.mark.requires_otel
def test_invalid_set_attribute_warns_once_not_per_call(caplog: pytest.LogCaptureFixture) -> None:
    # OpenTelemetry drops an invalid value and logs a warning on every call;
    # after configure_telemetry one line says it, not a hundred.
    configure_telemetry(trace_exporters=[])
    caplog.set_level(logging.WARNING, logger="opentelemetry.attributes")
    for _ in range(100):
        with tracer.start_as_current_span("loop") as span:
            span.set_attribute("bad", object())
    invalid = [r for r in caplog.records if r.name == "opentelemetry.attributes"]
    assert len(invalid) == 1


def odd_call() -> None:
    with pytest.warns(TelemetryWarning, match="could not be written"):
        log.info("odd", value=Unprintable(), event="collides", logger="mine", data=b"\x00")
    log.info("next", n=1)  # and logging still works afterwards


@pytest.mark.requires_structlog
def test_odd_log_fields_never_raise_through_the_pipeline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():
        configure_telemetry(trace_exporters=[])
        odd_call()
    odd, following = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert odd["value"] == "<unprintable Unprintable>"
    assert odd["event_"] == "collides"
    assert odd["logger"] == "mine"
    assert following["event"] == "next"


def test_odd_log_fields_never_raise_on_the_stdlib_route(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tests.odd_input")
    odd_call()
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0].startswith("odd value='<unprintable Unprintable>'")
    assert messages[1] == "next n=1"


@pytest.mark.requires_structlog
def test_odd_log_fields_reach_the_applications_own_handlers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # caplog's handler is one the application installed: it formats the
    # record its own way, from record.getMessage().
    configure_telemetry(trace_exporters=[])
    caplog.set_level(logging.INFO)
    log.info("odd", value=Unprintable(), event="collides", logger="mine")
    (record,) = caplog.records
    assert record.getMessage() == "odd value=<unprintable Unprintable> event_='collides'"
    assert caplog.text.endswith("odd value=<unprintable Unprintable> event_='collides'\n")


def test_log_methods_accept_every_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="tests.odd_input")
    for method in ("debug", "info", "warning", "error", "critical"):
        getattr(log, method)(method, n=1)
    try:
        raise KeyError("k")
    except KeyError:
        log.exception("failed")
    # With or without structlog installed: the stdlib logger of the facade's name.
    assert [r.levelname for r in caplog.records] == [
        "DEBUG",
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
        "ERROR",
    ]
    assert caplog.records[-1].exc_info is not None
    assert caplog.records[-1].exc_info[0] is KeyError


def test_homogeneous_sequences_are_valid_without_warning() -> None:
    attributes = {"ints": (1, 2), "names": ["a", "b"], "empty": ()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert coerce_attributes(attributes) is attributes
