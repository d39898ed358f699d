"""A library using the facade is silent until the application opts in.

Runs in a fresh interpreter so that nothing the test runner configured
(logging capture, warnings filters) can hide output.  Runs in both
configurations: with every optional package installed, and with none.
"""

from __future__ import annotations

import textwrap

import pytest

from support.processes import run_python

LIBRARY_WORKLOAD = """
    import asyncio, sys
    from pynector.telemetry import get_telemetry
    from pynector.telemetry.context import traced_async_operation, traced_gather, traced_task_group

    tracer, log = get_telemetry("somelib.client")

    async def call(i):
        async with traced_async_operation(tracer, "call", {"i": i, "odd": {"x": 1}}):
            log.debug("debug", i=i)
            log.info("info", i=i)
            log.warning("warning", i=i)
            log.error("error", i=i)
            log.critical("critical", i=i)
            try:
                raise RuntimeError("handled")
            except RuntimeError:
                log.exception("exception", i=i)
        return i

    async def main():
        with tracer.start_as_current_span("sync", {"k": "v"}) as span:
            span.set_attribute("x", 1)
        span = tracer.start_span("manual")
        span.end()
        assert await traced_gather(tracer, [call(1), call(2)], "gather") == [1, 2]
        async with traced_task_group(tracer, "group") as tg:
            tg.start_soon(call, 3)
        try:
            async with traced_async_operation(tracer, "failing"):
                raise ValueError("caller's own error")
        except ValueError:
            pass

    asyncio.run(main())
"""


def test_library_prints_nothing_and_sets_no_provider() -> None:
    result = run_python(
        LIBRARY_WORKLOAD
        + """
    from pynector.telemetry import HAS_OPENTELEMETRY, HAS_STRUCTLOG
    if HAS_OPENTELEMETRY:
        from opentelemetry import trace
        assert trace._TRACER_PROVIDER is None, "a library must never set a provider"
    if HAS_STRUCTLOG and "structlog" in sys.modules:
        import structlog
        assert not structlog.is_configured()
    """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_unconfigured_library_imports_no_optional_package() -> None:
    result = run_python(
        LIBRARY_WORKLOAD
        + """
    # "opentelemetry" itself is a namespace package (no code): finding out
    # whether OpenTelemetry is installed imports it, nothing more.
    loaded = sorted(
        m for m in sys.modules
        if m.split(".")[0] in ("opentelemetry", "structlog") and m != "opentelemetry"
    )
    print(loaded)
    """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# Run with structlog importable (installed in the full configuration) and
# blocked as if absent (so OpenTelemetry alone, or nothing at all).
STRUCTLOG_AVAILABILITY = {
    "as installed": "",
    "structlog absent": "import sys; sys.modules['structlog'] = None\n",
}


@pytest.mark.parametrize(
    "structlog_setup", STRUCTLOG_AVAILABILITY.values(), ids=list(STRUCTLOG_AVAILABILITY)
)
def test_library_logs_reach_application_stdlib_logging(structlog_setup: str) -> None:
    # structlog absent, or installed but not configured: records go to the
    # stdlib logger of the facade's name, so the application's logging config
    # decides, the same way in both cases.
    result = run_python(
        structlog_setup
        + textwrap.dedent(
            """
        import logging, sys
        logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                            format="%(name)s %(levelname)s %(funcName)s %(message)s")
        from pynector.telemetry import get_telemetry
        tracer, log = get_telemetry("somelib.client")

        def fetch():
            log.debug("hidden")
            log.info("visible", user="u1", n=2)
            log.warning("disk low")

        fetch()
        logging.getLogger("somelib").setLevel(logging.DEBUG)  # later, finer
        fetch()
        """
        )
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "somelib.client INFO fetch visible user='u1' n=2",
        "somelib.client WARNING fetch disk low",
        "somelib.client DEBUG fetch hidden",
        "somelib.client INFO fetch visible user='u1' n=2",
        "somelib.client WARNING fetch disk low",
    ]
