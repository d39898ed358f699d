"""The tree tells the architecture: the import loads the hot path and nothing else.

``import pynector.telemetry`` happens in every library that uses pynector,
so it must load only the small, flat hot path; the configure-time
subpackages (``_export``, ``_logs``, ``_cli``) and the public helper
modules load on first use.  When an optional package is missing, every
name the public modules declare from it still resolves, to a stand-in.
"""

from __future__ import annotations

import json

import pytest

from support.processes import run_python

#: Everything ``import pynector.telemetry`` may load, in any configuration.
HOT_PATH = {
    "pynector",
    "pynector.telemetry",
    "pynector.telemetry._dependencies",
    "pynector.telemetry._levels",
    "pynector.telemetry._optional",
    "pynector.telemetry._warnings",
    "pynector.telemetry.facade",
    "pynector.telemetry.logging",
    "pynector.telemetry.tracing",
}

LOADED_BY_IMPORT = """
    import json, sys
    before = set(sys.modules)
    import pynector.telemetry
    print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_import_loads_only_the_hot_path() -> None:
    result = run_python(LOADED_BY_IMPORT)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    ours = {name for name in loaded if name.startswith("pynector")}
    assert ours == HOT_PATH
    # Besides our own modules, at most the ``opentelemetry`` namespace package
    # (no code; looked into to find out whether OpenTelemetry is installed)
    # and the built-in ``atexit`` (the package's exit hook, see
    # ``_export.last_shutdown``).
    assert loaded - ours <= {"__future__", "atexit", "opentelemetry"}


def test_using_the_facades_loads_no_configure_time_module() -> None:
    result = run_python(
        LOADED_BY_IMPORT.replace(
            "print(",
            """tracer, log = pynector.telemetry.get_telemetry("lib")
    with tracer.start_as_current_span("s", {"k": 1}) as span:
        span.set_attribute("n", 2)
        log.debug("filtered out")
    print(""",
        )
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    configure_time = {
        name
        for name in loaded
        if name.startswith(("pynector.telemetry._export", "pynector.telemetry._cli"))
        or name == "pynector.telemetry.config"
    }
    assert configure_time == set()


BLOCK_OPTIONAL_PACKAGES = """
    import sys
    for name in ("opentelemetry", "opentelemetry.trace", "opentelemetry.context",
                 "opentelemetry.sdk", "opentelemetry.sdk.trace",
                 "opentelemetry.sdk.resources", "structlog"):
        sys.modules[name] = None   # as if not installed
"""


@pytest.mark.parametrize("module", ["facade", "tracing", "context", "config"])
def test_every_optional_name_has_a_stand_in(module: str) -> None:
    result = run_python(
        BLOCK_OPTIONAL_PACKAGES
        + f"""
    import importlib
    module = importlib.import_module("pynector.telemetry.{module}")
    for name in module._optional.sources:
        value = getattr(module, name)
        standin = getattr(value, "__pynector_standin__", False) or (
            getattr(value, "__module__", "") == "pynector.telemetry._standins"
        )
        print(name, bool(standin))
    """
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows  # the module declares optional names
    assert all(flag == "True" for _, flag in rows), rows


def test_a_stand_in_names_the_extra_to_install() -> None:
    result = run_python(
        BLOCK_OPTIONAL_PACKAGES
        + """
    from pynector.telemetry import facade
    try:
        facade.trace.use_span
    except AttributeError as error:
        print(error)
    """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "opentelemetry.trace.use_span is not available: OpenTelemetry is not installed "
        '(pip install "pynector[observability]")'
    )


def test_stand_ins_are_the_no_ops_they_stand_for() -> None:
    result = run_python(
        BLOCK_OPTIONAL_PACKAGES
        + """
    from pynector.telemetry import config, facade
    from pynector.telemetry.tracing import NoOpSpan
    from pynector.telemetry.logging import NoOpLogger
    span = facade.trace.get_tracer("lib").start_span("s", attributes={"k": 1})
    assert type(span) is NoOpSpan and span.attributes == {"k": 1}
    assert type(facade.structlog.get_logger("lib")) is NoOpLogger
    assert facade.structlog.is_configured() is False
    provider = config.TracerProvider(resource=config.Resource.create({"service.name": "s"}))
    config.trace.set_tracer_provider(provider)
    # Setting a provider without OpenTelemetry changes nothing: still the proxy.
    assert isinstance(config.trace.get_tracer_provider(), config.trace.ProxyTracerProvider)
    print("ok")
    """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
