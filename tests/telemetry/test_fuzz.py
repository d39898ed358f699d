"""Fuzz every public entry point with hostile values: nothing may escape.

Hypothesis draws values of every kind that has broken a telemetry call
somewhere: structures that contain themselves or nest thousands of levels
deep, objects (and dict keys) whose ``__repr__``/``__str__`` raise,
mappings and sequences that raise when read, lone surrogates, 100,000-
character strings, integers far beyond 64 bits, NaN and infinities, non-text
keys, bytes.  Each value goes through span creation and attributes, span
events, ``@traced(record_args=True)`` (functions, coroutines, generators),
the context helpers, log calls and propagation, in three set-ups: no tracer
provider (the no-op path, the only one without OpenTelemetry), a plain SDK
provider, and ``configure_telemetry`` (redaction, structlog, correlated
stdlib records).  An exception the caller raised itself must come back
unchanged; any other exception escaping a call is a failure.

Examples are derandomized, so every run checks the same values.  The
number of calls made and of exceptions escaped is printed at the end of
the module.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynector.telemetry import configure_telemetry, get_telemetry, traced
from pynector.telemetry.context import (
    bind_context,
    traced_async_operation,
    traced_gather,
    traced_task_group,
)
from pynector.telemetry.propagation import extract_context, inject_context
from support.hostile import (
    Unprintable,
    UnprintableError,
    UnreadableMapping,
    deep,
    recursive_dict,
    recursive_list,
)

tracer, log = get_telemetry("tests.fuzz")

EXAMPLES = 150
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: calls made and exceptions escaped, per set-up, reported at the end
CALLS: Counter[str] = Counter()
ESCAPED: list[str] = []


# -- hostile values ---------------------------------------------------------------


class UnreadableList(list[Any]):
    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("no items")


class EvilStr(str):
    def __str__(self) -> str:
        raise RuntimeError("no str")

    __repr__ = __str__


lone_surrogates = st.tuples(st.text(max_size=5), st.sampled_from(["\udcff", "\ud800"])).map("".join)
huge_text = st.sampled_from([10_000, 100_000]).map(lambda n: "é" * n)
# (built when drawn: hypothesis cannot print an int of 5,000 digits in its own reprs)
huge_ints = st.sampled_from([(2, 63, 1), (2, 63, -1), (2, 64, 1), (2, 100, 1), (10, 5000, -1)]).map(
    lambda base_power_sign: base_power_sign[2] * base_power_sign[0] ** base_power_sign[1]
)
keys = st.one_of(
    st.text(max_size=10),
    st.just(""),
    lone_surrogates,
    st.integers(),
    huge_ints,
    st.floats(allow_nan=True),
    st.binary(max_size=10),
    st.none(),
    st.builds(Unprintable),
    st.tuples(st.integers(), st.text(max_size=3)),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    lone_surrogates,
    huge_text,
    st.binary(),
    st.builds(Unprintable),
    st.builds(UnprintableError),
    st.builds(EvilStr, st.text(max_size=5)),
    st.builds(object),
)
built = st.one_of(
    st.builds(recursive_dict),
    st.builds(recursive_list),
    st.builds(deep, st.sampled_from([50, 1000, 5000]), st.booleans()),
    st.builds(UnreadableMapping),
    st.builds(UnreadableList),
)
values = st.recursive(
    st.one_of(leaves, built),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(keys, children, max_size=4),
        st.frozensets(st.one_of(st.integers(), st.text(max_size=3)), max_size=3),
    ),
    max_leaves=8,
)


def span_methods(span: Any, value: Any) -> None:
    """The methods of a span the facade handed out, called with *value*.

    Only where the span is pynector's own (tracing off).  A real span is
    OpenTelemetry's object, and its ``set_attribute``/``add_event`` are not
    total: since SDK 1.45 they clean nested values recursively and call
    ``str()`` on unknown ones, so a self-containing structure raises
    ``RecursionError`` and an object whose ``__str__`` raises, its error.
    Values go to real spans through pynector's calls, which coerce them.
    """
    if span.is_recording():
        return
    span.set_attribute("k", value)
    span.set_attributes({"k": value})
    span.set_attributes(value)
    span.add_event("e", {"k": value})
    span.update_name(value)


# -- calling everything ----------------------------------------------------------


def attempt(label: str, call: Callable[[], Any]) -> None:
    CALLS[label] += 1
    try:
        call()
    except BaseException as error:  # the whole point: nothing may escape
        ESCAPED.append(f"{label}: {type(error).__name__}")


async def attempt_async(label: str, call: Callable[[], Any]) -> None:
    CALLS[label] += 1
    try:
        await call()
    except BaseException as error:
        ESCAPED.append(f"{label}: {type(error).__name__}")


def raises_only_its_own(label: str, call: Callable[[], Any], own: BaseException) -> None:
    CALLS[label] += 1
    try:
        call()
    except BaseException as error:
        if error is not own:
            ESCAPED.append(f"{label}: {type(error).__name__} instead of the caller's own")
    else:
        ESCAPED.append(f"{label}: the caller's exception was swallowed")


def spans(value: Any, key: Any) -> None:
    attempt("start_span", lambda: span_methods(tracer.start_span("s", {"k": value}), value))
    attempt("start_span end", lambda: tracer.start_span("s", {"k": value}).end())
    attempt("start_span key", lambda: tracer.start_span("s", {key: value}).end())
    attempt("start_span name", lambda: tracer.start_span(value).end())
    attempt("attributes mapping", lambda: tracer.start_span("s", value).end())

    def current() -> None:
        with tracer.start_as_current_span("s", {"k": value, key: 1}) as span:
            span_methods(span, value)

    attempt("start_as_current_span", current)
    attempt("current span name", lambda: tracer.start_as_current_span(value).__enter__())


def traced_calls(value: Any) -> None:
    @traced(record_args=True)
    def function(payload: Any, *rest: Any, **options: Any) -> Any:
        return payload

    @traced(record_args=True)
    def generator(payload: Any) -> Iterator[Any]:
        yield payload

    @traced("named", attributes={"static": value}, record_args=True)
    def failing(payload: Any) -> None:
        raise own

    own = UnprintableError()
    attempt("@traced", lambda: function(value, value, option=value))
    attempt("@traced generator", lambda: list(generator(value)))
    raises_only_its_own("@traced raising", lambda: failing(value), own)


async def async_calls(value: Any) -> None:
    @traced(record_args=True)
    async def coroutine(payload: Any) -> Any:
        return payload

    @traced(record_args=True)
    async def agen(payload: Any) -> AsyncIterator[Any]:
        yield payload

    async def child() -> Any:
        return value

    async def current_async() -> None:
        async with tracer.start_as_current_async_span("s", {"k": value}):
            pass

    async def plain_async() -> None:
        async with await tracer.start_async_span("s", {"k": value}):
            pass

    async def operation() -> None:
        async with traced_async_operation(tracer, "op", {"k": value}) as span:
            span_methods(span, value)

    async def group() -> None:
        async with traced_task_group(tracer, "group", {"k": value}) as task_group:
            task_group.start_soon(child)

    async def gather() -> None:
        await traced_gather(tracer, [child(), child()], "gather")

    async def agen_all() -> None:
        async for _ in agen(value):
            pass

    await attempt_async("@traced coroutine", lambda: coroutine(value))
    await attempt_async("@traced async generator", agen_all)
    await attempt_async("start_as_current_async_span", current_async)
    await attempt_async("start_async_span", plain_async)
    await attempt_async("traced_async_operation", operation)
    await attempt_async("traced_task_group", group)
    await attempt_async("traced_gather", gather)


def logs(value: Any, key: Any) -> None:
    attempt("log.info", lambda: log.info("event", k=value))
    attempt("log.warning event", lambda: log.warning(value, k=1))
    attempt("log.error collides", lambda: log.error("event", event=value, logger=value))

    def exception() -> None:
        try:
            raise UnprintableError()
        except UnprintableError:
            log.exception("failed", k=value)

    attempt("log.exception", exception)
    attempt("stdlib logging", lambda: logging.getLogger("tests.fuzz.stdlib").warning("%s", 1))


def propagation(value: Any, key: Any) -> None:
    def extract(headers: Any) -> Callable[[], None]:
        def run() -> None:
            with extract_context(headers):
                tracer.start_span("remote child").end()

        return run

    attempt("extract_context", extract(value))
    attempt("extract_context value", extract({"traceparent": value}))
    attempt("extract_context key", extract({key: value}))

    def inject() -> None:
        with tracer.start_as_current_span("call"):
            inject_context(value)

    attempt("inject_context", inject)
    attempt("bind_context", lambda: bind_context(lambda v: v)(value))


def everything(value: Any, key: Any) -> None:
    spans(value, key)
    traced_calls(value)
    asyncio.run(async_calls(value))
    logs(value, key)
    propagation(value, key)


# -- the three set-ups -----------------------------------------------------------


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    """Warnings and OpenTelemetry's own per-call log lines are expected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        otel = logging.getLogger("opentelemetry")
        level, otel.level = otel.level, logging.CRITICAL
        yield
        otel.setLevel(level)


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nfuzz: {sum(CALLS.values())} calls over {len(CALLS)} entry points, "
                f"{len(ESCAPED)} exceptions escaped"
            )


def check(value: Any, key: Any) -> None:
    before = len(ESCAPED)
    everything(value, key)
    assert ESCAPED[before:] == []


@FUZZ
@given(value=values, key=keys)
def test_no_provider(value: Any, key: Any) -> None:
    check(value, key)


@pytest.mark.requires_otel
@FUZZ
@given(value=values, key=keys)
def test_sdk_provider(span_exporter: Any, value: Any, key: Any) -> None:
    check(value, key)
    span_exporter.clear()


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
@FUZZ
@given(value=values, key=keys)
def test_configured(configured: None, value: Any, key: Any) -> None:
    check(value, key)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """configure_telemetry's full pipeline: redaction, structlog as JSON, record factory."""
    monkeypatch.setenv("PYNECTOR_LOG_FORMAT", "json")
    configure_telemetry(trace_exporters=[])
    logging.getLogger("tests.fuzz.stdlib").addHandler(logging.NullHandler())
