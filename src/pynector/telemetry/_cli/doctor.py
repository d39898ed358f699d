"""``python -m pynector.telemetry doctor``: what is installed, configured and reachable.

It answers the questions asked when spans do not show up: which optional
packages are present, what each setting resolved to and why (argument,
environment, default), which exporters would run, and whether the OTLP
endpoint accepts a connection.  Secrets (header values, passwords in URLs)
are masked.  The exit code is 1 when something is misconfigured, so it can
gate a deployment.
"""

from __future__ import annotations

import socket
import warnings
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TextIO
from urllib.parse import urlsplit

from .._dependencies import is_importable
from .._export.endpoints import mask_url
from .._export.environment import get_env_bool, get_env_dict
from .._export.settings import ExportSettings, Setting, check_sdk_variables, resolve_settings
from .._export.shown import shown_text
from .._logs.structlog_pipeline import renderer_name

__all__ = ["run_doctor"]

#: distribution -> (importable module, the extra that installs it)
_PACKAGES = {
    "opentelemetry-api": ("opentelemetry.trace", "observability"),
    "opentelemetry-sdk": ("opentelemetry.sdk.trace", "observability"),
    "structlog": ("structlog", "observability"),
    "opentelemetry-exporter-otlp-proto-http": ("opentelemetry.exporter.otlp.proto.http", "otlp"),
    "opentelemetry-exporter-otlp-proto-grpc": ("opentelemetry.exporter.otlp.proto.grpc", "otlp"),
    "opentelemetry-exporter-zipkin-json": ("opentelemetry.exporter.zipkin.json", "zipkin"),
    "anyio": ("anyio", None),
}


def _installed_version(distribution: str, module: str) -> str | None:
    if not is_importable(module):
        return None
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown version"


_SECONDS = (
    "otlp_timeout",
    "zipkin_timeout",
    "bsp_schedule_delay",
    "bsp_export_timeout",
    "console_pending_after",
)


def _display(name: str, setting: Setting[Any]) -> str:
    value = setting.value
    if name in _SECONDS:
        return f"{value:g} s"
    if setting.secret and isinstance(value, dict):
        return ", ".join(f"{key}=***" for key in value) or "(none)"
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    if isinstance(value, str):
        return shown_text(value)
    return str(value)


def _source(setting: Setting[Any]) -> str:
    if setting.source == "environment":
        return f"environment ({setting.variable})"
    return setting.source


def _reachable(url: str, timeout: float) -> str | None:
    """``None`` if a TCP connection to *url*'s host and port succeeds, else why not."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
            return None
    except OSError as error:
        return error.strerror or type(error).__name__


def _exporter_lines(
    settings: ExportSettings, timeout: float, problem: Callable[[str], None]
) -> list[str]:
    lines = []
    for name in settings.exporters.value:
        if name == "console":
            lines.append(f"console: each trace drawn as a tree on {settings.console_stream.value}")
            continue
        if name == "console-lines":
            lines.append(f"console-lines: one line per span on {settings.console_stream.value}")
            continue
        if name == "otlp":
            grpc = settings.otlp_protocol.value == "grpc"
            module = "opentelemetry.exporter.otlp.proto." + ("grpc" if grpc else "http")
            url, extra = settings.otlp_endpoint.value, "otlp"
        elif name == "zipkin":
            module = "opentelemetry.exporter.zipkin.json"
            url, extra = settings.zipkin_endpoint.value, "zipkin"
        else:  # pragma: no cover - resolve_settings only yields known names
            continue
        label = f"{name} -> {mask_url(url)}"
        if not is_importable(module):
            lines.append(f"{label}: package missing")
            problem(f'the {name} exporter needs: pip install "pynector[{extra}]"')
            continue
        failure = _reachable(url, timeout)
        if failure is None:
            lines.append(f"{label}: accepts connections")
        else:
            lines.append(f"{label}: NOT reachable ({failure})")
            problem(f"nothing accepts connections at {mask_url(url)} ({failure})")
    return lines or ["(none: spans are not exported)"]


def run_doctor(out: TextIO, connect_timeout: float = 1.0) -> int:
    """Write the report to *out*; return 0 if all is well, 1 if something is misconfigured."""
    problems: list[str] = []
    print("pynector telemetry doctor\n\nOptional packages", file=out)
    for distribution, (module, extra) in _PACKAGES.items():
        found = _installed_version(distribution, module)
        hint = f'  (pip install "pynector[{extra}]")' if extra and not found else ""
        print(f"  {distribution:<40} {found or 'not installed'}{hint}", file=out)

    # The same checks, and so the same warnings, as configure_telemetry.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings = resolve_settings()
        disabled = get_env_bool("OTEL_SDK_DISABLED")
        get_env_dict("OTEL_RESOURCE_ATTRIBUTES")
        check_sdk_variables()
        renderer_name()  # PYNECTOR_LOG_FORMAT
    problems.extend(str(warning.message) for warning in caught)

    print("\nEffective configuration", file=out)
    for name, setting in settings.items():
        print(f"  {name:<26} {_display(name, setting):<44} {_source(setting)}", file=out)
    if disabled:
        print("  OTEL_SDK_DISABLED is true: configure_telemetry will not trace", file=out)
    if not is_importable("opentelemetry.sdk.trace"):
        problems.append('the OpenTelemetry SDK is missing: pip install "pynector[observability]"')

    print("\nExporters", file=out)
    for line in _exporter_lines(settings, connect_timeout, problems.append):
        print(f"  {line}", file=out)

    if problems:
        print("\nProblems", file=out)
        for problem in problems:
            print(f"  - {problem}", file=out)
        return 1
    print("\nNo problems found.", file=out)
    return 0
