"""Sanitising ended spans for export, and packing them into requests a collector accepts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

pytestmark = pytest.mark.requires_otel


def ended(name: str = "span", attributes: dict[str, Any] | None = None) -> ReadableSpan:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider

    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("sanitising")
    span = tracer.start_span(name, attributes=attributes)
    span.end()
    assert isinstance(span, ReadableSpan)
    return span


def encoded_size(spans: list[ReadableSpan]) -> int:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

    return int(encode_spans(spans).ByteSize())


def test_a_clean_span_is_passed_on_as_it_is() -> None:
    from pynector.telemetry._export.span_sanitising import sanitise_span

    span = ended(attributes={"text": "é", "n": 2**63 - 1, "tags": ("a", "b")})
    assert sanitise_span(span, 4096)[0] is span


def test_lone_surrogates_become_replacement_characters_everywhere() -> None:
    from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
    from opentelemetry.trace import Link, Status, StatusCode

    from pynector.telemetry._export.span_sanitising import sanitise_span

    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("sanitising")
    other = ended().context
    assert other is not None
    span = tracer.start_span(
        "name \udcff",
        attributes={"key \udcff": "value \udcff", "list": ("ok", "bad \udcff")},
        links=[Link(other, {"link \udcff": "x"})],
    )
    span.add_event("event \udcff", {"e": "\udcff"})
    span.set_status(Status(StatusCode.ERROR, "broken \udcff"))
    span.end()
    assert isinstance(span, ReadableSpan)
    clean, _ = sanitise_span(span, None)
    assert clean.name == "name \ufffd"
    assert dict(clean.attributes or {}) == {
        "key \ufffd": "value \ufffd",
        "list": ("ok", "bad \ufffd"),
    }
    assert clean.events[0].name == "event \ufffd"
    assert dict(clean.events[0].attributes or {}) == {"e": "\ufffd"}
    assert dict(clean.links[0].attributes or {}) == {"link \ufffd": "x"}
    assert clean.status.description == "broken \ufffd"
    assert clean.context == span.context
    assert encoded_size([clean]) > 0  # the original cannot be encoded at all


def test_integers_beyond_64_bits_become_text() -> None:
    from pynector.telemetry._export.span_sanitising import sanitise_span

    span = ended(attributes={"big": 2**100, "low": -(2**63) - 1, "many": (1, 2**64)})
    clean, _ = sanitise_span(span, None)
    assert dict(clean.attributes or {}) == {
        "big": str(2**100),
        "low": str(-(2**63) - 1),
        "many": (1, str(2**64)),
    }
    assert encoded_size([clean]) > 0


def test_an_integer_too_long_for_decimal_text_is_cut_hexadecimal() -> None:
    from pynector.telemetry._export.span_sanitising import sanitise_span

    span = ended(attributes={"vast": 10**5000})
    clean, _ = sanitise_span(span, 64)
    value = (clean.attributes or {})["vast"]
    assert isinstance(value, str)
    assert value.startswith("0x")
    assert len(value) == 64


def test_long_values_and_names_are_cut_to_the_limit() -> None:
    from pynector.telemetry._export.span_sanitising import sanitise_span

    span = ended("n" * 100, {"long": "x" * 100, "items": ("y" * 100, "short"), "ok": "z" * 10})
    clean, size = sanitise_span(span, 10)
    assert clean.name == "n" * 10
    assert dict(clean.attributes or {}) == {
        "long": "x" * 10,
        "items": ("y" * 10, "short"),
        "ok": "z" * 10,
    }
    assert size < 300  # the 100-character name and value are not counted


def test_packed_parts_stay_under_the_grpc_limit() -> None:
    from pynector.telemetry._export.span_sanitising import pack, sanitise_span

    # No length limit at all: 40 spans of 300,000 multi-byte characters each.
    spans = [sanitise_span(ended(attributes={"text": "é" * 300_000}), None) for _ in range(40)]
    parts, too_large = pack(spans)
    assert too_large == 0
    assert sum(len(part) for part in parts) == 40
    assert len(parts) > 1
    assert all(encoded_size(part) < 4 * 1024 * 1024 for part in parts)


def test_a_span_larger_than_a_request_is_left_out_and_counted() -> None:
    from pynector.telemetry._export.span_sanitising import pack, sanitise_span

    small = sanitise_span(ended("small"), None)
    huge = sanitise_span(ended(attributes={"text": "x" * 5_000_000}), None)
    parts, too_large = pack([small, huge, small])
    assert too_large == 1
    assert parts == [[small[0], small[0]]]
