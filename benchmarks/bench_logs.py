"""Log calls: pynector's facade against structlog, stdlib logging and logfire-api."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import os
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING

import pytest

from pynector.telemetry import get_telemetry

from .conftest import OPS, needs

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Tracer
    from pytest_benchmark.fixture import BenchmarkFixture
    from structlog.typing import FilteringBoundLogger, Processor

_, log = get_telemetry("bench.logs")


def loop_call(method: Callable[..., object]) -> Callable[[], None]:
    def run() -> None:
        for _ in range(OPS):
            method("event", k=1)

    return run


@pytest.mark.benchmark(group="log-noop")
def test_floor_nullcontext(benchmark: BenchmarkFixture) -> None:
    def run() -> None:
        for _ in range(OPS):
            with nullcontext():
                pass

    benchmark.extra_info.update(contender="with nullcontext()", ops=OPS)
    benchmark(run)


@pytest.mark.benchmark(group="log-noop")
def test_pynector_noop_log(benchmark: BenchmarkFixture) -> None:
    # Nothing configured: stdlib logging at its default (WARNING), so INFO is
    # filtered out.  Where structlog is installed it is also imported (by
    # another library, say) but not configured: the facade must then check
    # structlog's configuration as well, the harder case.
    if importlib.util.find_spec("structlog") is not None:
        import structlog

        assert not structlog.is_configured()
    benchmark.extra_info.update(contender="pynector (nothing configured)", ops=OPS)
    benchmark(loop_call(log.info))
    surviving = benchmark.extra_info["surviving_bytes"] = surviving_allocations(log.info)
    assert surviving == 0, f"{surviving} bytes allocated by no-op log calls survived"


@pytest.mark.benchmark(group="log-noop")
def test_stdlib_logging_disabled(benchmark: BenchmarkFixture) -> None:
    logger = logging.getLogger("bench.stdlib")
    logger.setLevel(logging.WARNING)

    def run() -> None:
        for _ in range(OPS):
            logger.info("event", extra={"k": 1})

    benchmark.extra_info.update(contender="stdlib logging, level off", ops=OPS)
    benchmark(run)


@pytest.mark.benchmark(group="log-noop")
def test_structlog_filtered(benchmark: BenchmarkFixture) -> None:
    needs("structlog")
    import structlog

    # structlog types the class it makes as a protocol, without the constructor
    # arguments (logger, processors, context) the class itself takes.
    filtering: Callable[..., FilteringBoundLogger] = structlog.make_filtering_bound_logger(
        logging.WARNING
    )
    logger = filtering(structlog.PrintLogger(io.StringIO()), [], {})
    benchmark.extra_info.update(contender="structlog filtering logger, level off", ops=OPS)
    benchmark(loop_call(logger.info))


@pytest.mark.benchmark(group="log-noop")
def test_logfire_api_log(benchmark: BenchmarkFixture) -> None:
    needs("logfire_api")
    import logfire_api

    benchmark.extra_info.update(contender="logfire-api shim", ops=OPS)
    benchmark(loop_call(logfire_api.info))


def surviving_allocations(method: Callable[..., object]) -> int:
    """Bytes still allocated after 10,000 calls (warm), as traced by tracemalloc."""
    for _ in range(100):
        method("event", k=1)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(10_000):
        method("event", k=1)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = after.compare_to(before, "filename")
    pynector_files = [s for s in stats if "pynector" in str(s.traceback)]
    return sum(max(s.size_diff, 0) for s in pynector_files)


CONFIGURED_OPS = OPS // 10


@pytest.fixture
def json_pipeline(sdk_provider: TracerProvider) -> Iterator[Sequence[Processor]]:
    """The pipeline configure_telemetry installs, its stderr handler writing JSON to /dev/null.

    pytest's own handlers are set aside so that, as in an application with
    no logging set up, configure_telemetry adds its stderr handler.
    """
    needs("structlog")
    import structlog

    from pynector.telemetry import configure_telemetry

    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    root.handlers.clear()
    os.environ["PYNECTOR_LOG_FORMAT"] = "json"
    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull):
        configure_telemetry(trace_exporters=[])  # keeps sdk_provider, configures logging
        yield structlog.get_config()["processors"]
    structlog.reset_defaults()
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


@pytest.mark.benchmark(group="log-configured")
def test_structlog_same_pipeline_without_correlation(
    benchmark: BenchmarkFixture, json_pipeline: Sequence[Processor]
) -> None:
    import structlog

    from pynector.telemetry.processors import add_trace_context

    processors = [p for p in json_pipeline if p is not add_trace_context]
    logger = structlog.wrap_logger(
        logging.getLogger("bench.logs"),
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
    )
    tracer = sdk_tracer()
    benchmark.extra_info.update(
        contender="structlog, same pipeline, no correlation", ops=CONFIGURED_OPS
    )
    benchmark(in_span(tracer, lambda: logger.info("event", k=1, logger="bench.logs")))


@pytest.mark.benchmark(group="log-configured")
def test_pynector_correlated_log(
    benchmark: BenchmarkFixture, json_pipeline: Sequence[Processor]
) -> None:
    tracer = sdk_tracer()
    benchmark.extra_info.update(contender="pynector, with trace_id/span_id", ops=CONFIGURED_OPS)
    benchmark(in_span(tracer, lambda: log.info("event", k=1)))


def sdk_tracer() -> Tracer:
    from opentelemetry import trace

    return trace.get_tracer("bench")


def in_span(tracer: Tracer, call: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        with tracer.start_as_current_span("request"):
            for _ in range(CONFIGURED_OPS):
                call()

    return run
