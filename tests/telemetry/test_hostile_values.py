"""No value a caller passes makes a pynector call raise.

Structures that contain themselves or nest 5,000 levels deep, objects (and
dict keys) whose ``__repr__``/``__str__`` raise, exceptions that cannot be
printed, non-text header names: each is coerced, recorded with a
placeholder or skipped, and the call goes on.  ``test_fuzz.py`` throws
generated values of the same kinds at every public entry point.
"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import pytest

from pynector.telemetry import (
    _attributes,
    configure_telemetry,
    get_telemetry,
    traced,
)
from pynector.telemetry._attributes import coerce_value
from pynector.telemetry.context import traced_async_operation
from pynector.telemetry.propagation import extract_context, inject_context
from pynector.telemetry.tracing import NoOpSpan
from support.hostile import (
    Unprintable,
    UnprintableError,
    UnreadableMapping,
    deep,
    recursive_dict,
    recursive_list,
)
from support.logs import without_root_handlers
from support.processes import run_python

tracer, log = get_telemetry("tests.hostile_values")

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
REMOTE_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C


HOSTILE_ATTRIBUTES: dict[str, Callable[[], dict[Any, Any]]] = {
    "recursive dict": lambda: {"payload": recursive_dict()},
    "5000-deep dict": lambda: {"payload": deep()},
    "recursive list": lambda: {"payload": {"l": recursive_list()}},
    "unprintable key": lambda: {Unprintable(): 1, "ok": 2},
    "unprintable nested key": lambda: {"payload": {Unprintable(): 1}},
    "unprintable value": lambda: {"payload": {"v": Unprintable()}},
    "huge int inside": lambda: {"payload": {"n": 10**5000}},
}


@pytest.fixture(params=["redaction off", "redaction on"])
def real_spans(request: pytest.FixtureRequest, span_exporter: Any) -> Iterator[Any]:
    """A real SDK provider exporting into memory; with or without the redactor
    ``configure_telemetry`` installs by default."""
    from pynector.telemetry.redaction import Redactor, set_active_redactor

    if request.param == "redaction on":
        set_active_redactor(Redactor())  # conftest removes it afterwards
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield span_exporter


async def open_span_every_way(attributes: Mapping[Any, Any]) -> None:
    tracer.start_span("start_span", attributes).end()
    with tracer.start_as_current_span("start_as_current_span", attributes):
        pass
    async with tracer.start_as_current_async_span("start_as_current_async_span", attributes):
        pass
    async with await tracer.start_async_span("start_async_span", attributes):
        pass
    async with traced_async_operation(tracer, "traced_async_operation", attributes):
        pass

    @traced("traced", record_args=True)
    def function(payload: object) -> None:
        return None

    function(next(iter(attributes.values())))


@pytest.mark.requires_otel
@pytest.mark.parametrize("kind", HOSTILE_ATTRIBUTES)
def test_hostile_attributes_never_raise(real_spans: Any, kind: str) -> None:
    asyncio.run(open_span_every_way(HOSTILE_ATTRIBUTES[kind]()))
    spans = real_spans.get_finished_spans()
    assert [span.name for span in spans] == [
        "start_span",
        "start_as_current_span",
        "start_as_current_async_span",
        "start_async_span",
        "traced_async_operation",
        "traced",
    ]
    for span in spans[:-1]:
        for value in span.attributes.values():
            if isinstance(value, str) and value.startswith("{"):
                json.loads(value)  # what could be rendered is valid JSON


def test_cycles_and_depth_are_marked_in_the_json() -> None:
    rendered = json.loads(coerce_value(recursive_dict()))
    assert rendered == {
        "name": "loop",
        "self": "<cycle>",
        "list": ["<cycle>", {"again": "<cycle>"}],
    }
    nested = json.loads(coerce_value(deep()))
    for _ in range(_attributes.MAX_DEPTH):
        nested = nested["k"]
    assert nested == "<nested too deep>"
    shared = {"x": 1}
    assert json.loads(coerce_value({"a": shared, "b": shared})) == {"a": {"x": 1}, "b": {"x": 1}}


def test_unprintable_keys_and_values_get_placeholders() -> None:
    rendered = json.loads(coerce_value({Unprintable(): Unprintable(), "n": 10**5000}))
    assert rendered == {
        "<unprintable Unprintable>": "<unprintable Unprintable>",
        "n": "<int of 16610 bits>",
    }


@pytest.mark.requires_otel
def test_redaction_still_applies_inside_nested_values(real_spans: Any) -> None:
    # The placeholder path must never leak what redaction would hide.
    attributes = {"payload": {"password": "hunter2", "self": recursive_dict()}}
    tracer.start_span("s", attributes).end()
    (span,) = real_spans.get_finished_spans()
    payload = json.loads(span.attributes["payload"])
    from pynector.telemetry.redaction import active_redactor

    expected = "[REDACTED]" if active_redactor() is not None else "hunter2"
    assert payload["password"] == expected


def test_attributes_that_cannot_be_read_are_dropped() -> None:
    from pynector.telemetry._attributes import coerce_attributes

    with pytest.warns(match="could not be read"):
        assert coerce_attributes(UnreadableMapping()) is None
    assert coerce_attributes(5) is None  # type: ignore[arg-type]


@pytest.mark.requires_otel
def test_an_unprintable_exception_reaches_the_caller_unchanged(span_exporter: Any) -> None:
    error = UnprintableError()

    @traced
    def fails() -> None:
        raise error

    async def operation() -> None:
        async with traced_async_operation(tracer, "op"):
            raise error

    async def async_span() -> None:
        async with tracer.start_as_current_async_span("async"):
            raise error

    async def caught(run: Callable[[], Any]) -> BaseException | None:
        # (asyncio.run itself cannot report an exception it cannot print)
        try:
            await run()
        except BaseException as exception:
            return exception
        return None

    with pytest.raises(UnprintableError) as raised:
        fails()
    assert raised.value is error
    assert asyncio.run(caught(operation)) is error
    assert asyncio.run(caught(async_span)) is error

    spans = span_exporter.get_finished_spans()
    assert len(spans) == 3
    for span in spans:
        assert span.status.status_code.name == "ERROR"
        assert span.status.description == "UnprintableError: <unprintable UnprintableError>"
        (event,) = span.events
        assert event.name == "exception"
        assert event.attributes["exception.message"] == "<unprintable UnprintableError>"
        assert event.attributes["exception.type"].endswith("UnprintableError")


def test_odd_span_names_never_raise() -> None:
    names: list[Any] = [{}, [], None, 5, Unprintable()]
    for name in names:
        with tracer.start_as_current_span(name):
            pass
        tracer.start_span(name).end()

        async def run(name: Any = name) -> None:
            async with tracer.start_as_current_async_span(name):
                pass

        asyncio.run(run())


@pytest.mark.requires_otel
def test_odd_span_names_are_exported_as_text(span_exporter: Any) -> None:
    tracer.start_span(5).end()  # type: ignore[arg-type]
    tracer.start_span(Unprintable()).end()  # type: ignore[arg-type]
    assert [span.name for span in span_exporter.get_finished_spans()] == [
        "5",
        "<unprintable Unprintable>",
    ]


def test_noop_span_methods_never_raise() -> None:
    span = NoOpSpan("s", {"a": 1})
    span.set_attribute({}, 1)  # type: ignore[arg-type]
    span.set_attributes(5)  # type: ignore[arg-type]
    span.set_attribute("b", 2)
    assert span.attributes == {"a": 1, "b": 2}
    assert NoOpSpan("s", 5).attributes == {}  # type: ignore[arg-type]


@pytest.mark.requires_otel
@pytest.mark.parametrize(
    ("headers", "parent"),
    [
        ({1: "x"}, None),
        (None, None),
        ({"traceparent": 5}, None),
        ({"TraceParent": TRACEPARENT, 3: "x", b"x": object()}, REMOTE_TRACE_ID),
        ({b"traceparent": TRACEPARENT.encode()}, REMOTE_TRACE_ID),
        ([(b"traceparent", TRACEPARENT.encode()), (b"x",), 5], REMOTE_TRACE_ID),  # ASGI
        ({"traceparent": [TRACEPARENT]}, REMOTE_TRACE_ID),
        (MappingProxyType({"traceparent": TRACEPARENT}), REMOTE_TRACE_ID),
        ({Unprintable(): "x"}, None),
        (5, None),
    ],
)
def test_extract_context_takes_any_headers(
    span_exporter: Any, headers: Any, parent: int | None
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with extract_context(headers), tracer.start_as_current_span("handle"):
            pass
    (span,) = span_exporter.get_finished_spans()
    assert (span.parent.trace_id if span.parent else None) == parent


def test_extract_context_never_hides_the_blocks_own_exception() -> None:
    with pytest.raises(KeyError), extract_context({1: "x"}):  # type: ignore[dict-item]
        raise KeyError("mine")


@pytest.mark.requires_otel
def test_inject_context_into_what_cannot_take_it(span_exporter: Any) -> None:
    read_only = MappingProxyType({"a": "1"})
    with tracer.start_as_current_span("call"), warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        assert inject_context(None) is None  # type: ignore[type-var]
        assert inject_context(read_only) is read_only  # type: ignore[type-var]
    assert ["could not write" in str(w.message) for w in record] == [True]
    with tracer.start_as_current_span("call"):
        headers: dict[str, str] = {}
        assert "traceparent" in inject_context(headers)


@pytest.mark.requires_otel
def test_propagation_with_a_misspelled_propagator_and_no_configure() -> None:
    # OpenTelemetry raises at the import of opentelemetry.propagate for an
    # unknown name; inject_context/extract_context import it themselves.
    result = run_python(
        """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        trace.set_tracer_provider(TracerProvider())
        from pynector.telemetry import get_telemetry
        from pynector.telemetry.propagation import extract_context, inject_context
        tracer, _ = get_telemetry("app")
        with tracer.start_as_current_span("call"):
            print(sorted(inject_context({})))
        with extract_context({"traceparent": "TRACEPARENT"}):
            print(format(trace.get_current_span().get_span_context().trace_id, "032x"))
        """.replace("TRACEPARENT", TRACEPARENT),
        env={"OTEL_PROPAGATORS": "tracecontext,b3-typo"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [
        "['traceparent']",
        "0af7651916cd43dd8448eb211c80319c",
    ]
    assert result.stderr.count("TelemetryWarning") == 1
    assert "'b3-typo'" in result.stderr


def log_hostile_fields() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log.info("cyclic", payload=recursive_dict())
        log.info("deep", payload=deep())
        log.info(Unprintable(), n=1)  # type: ignore[arg-type]
        log.info("huge", n=10**5000)  # no decimal text: str() raises
        log.info("after", n=2)


HOSTILE_EVENTS = ["cyclic", "deep", "<unprintable", "huge", "after"]


@pytest.mark.requires_structlog
def test_hostile_log_fields_never_raise_nor_lose_the_event_in_the_pipeline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    with without_root_handlers():  # so that pynector adds its stderr handler
        configure_telemetry(trace_exporters=[])
        log_hostile_fields()
    lines = [json.loads(line)["event"] for line in capsys.readouterr().err.splitlines()]
    assert [line.split()[0] for line in lines] == HOSTILE_EVENTS


def test_hostile_log_fields_never_raise_nor_lose_the_event_on_the_stdlib_route(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tests.hostile_values")
    log_hostile_fields()
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split()[0] for line in lines] == HOSTILE_EVENTS


def test_a_facade_with_an_odd_name_still_logs(caplog: pytest.LogCaptureFixture) -> None:
    from pynector.telemetry.facade import LoggingFacade

    caplog.set_level(logging.INFO)
    LoggingFacade(5).info("hello")  # type: ignore[arg-type]
    assert [record.name for record in caplog.records] == ["5"]  # with or without structlog
