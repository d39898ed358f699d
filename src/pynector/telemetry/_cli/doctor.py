"""``python -m pynector.telemetry doctor``: what is installed, configured and delivered.

It answers the questions asked when spans, metrics or log records do not
show up:
which optional packages are present, what each setting resolved to and why
(argument, environment, default), which exporters would run, and whether
each one's endpoint *accepts an export*: it sends a real, empty export request with
the configured protocol, headers, compression and TLS (see :mod:`.probe`)
and reports the answer, with the fix when delivery would fail.  Secrets
(header values, passwords in URLs) are masked, and everything it writes
also goes through the redaction rules (a token used as URL user, a secret
quoted in a warning...).  ``--json`` gives the same
report for machines.  The exit code is 1 when something is misconfigured,
so it can gate a deployment.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, TextIO

from .._dependencies import is_importable
from .._export.endpoints import mask_url
from .._export.environment import get_env_bool, get_env_dict
from .._export.log_settings import LogSettings, resolve_log_settings
from .._export.metric_settings import MetricSettings, resolve_metric_settings
from .._export.own_exporters import KINDS, Signal, role_of
from .._export.parsers import own_choices
from .._export.settings import ExportSettings, Setting, check_sdk_variables, resolve_settings
from .._export.shown import shown_text
from .._logs.structlog_pipeline import renderer_name
from ..redaction import diagnostic_redactor
from .probe import ProbeResult, probe_otlp_grpc, probe_otlp_http, probe_zipkin

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
    "export_interval",
    "export_timeout",
    "blrp_schedule_delay",
    "blrp_export_timeout",
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


#: Said in every report: the variables do nothing on their own.
TAKES_EFFECT = (
    "These settings take effect only through configure_telemetry() or "
    "`python -m pynector.telemetry run`."
)


#: The settings of one signal's export.
_Settings = ExportSettings | MetricSettings | LogSettings


@dataclass
class Report:
    """Everything the doctor found; rendered as text or JSON."""

    packages: dict[str, str | None] = field(default_factory=dict)
    settings: list[dict[str, str]] = field(default_factory=list)
    tracing_disabled: bool = False
    exporters: list[dict[str, Any]] = field(default_factory=list)
    metric_settings: list[dict[str, str]] = field(default_factory=list)
    metric_exporters: list[dict[str, Any]] = field(default_factory=list)
    log_settings: list[dict[str, str]] = field(default_factory=list)
    log_exporters: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _probe(name: str, settings: _Settings, timeout: float, signal: str) -> ProbeResult:
    if name == "zipkin" and isinstance(settings, ExportSettings):
        return probe_zipkin(settings.zipkin_endpoint.value, timeout)
    headers = settings.otlp_headers.value
    compression = settings.otlp_compression.value
    if settings.otlp_protocol.value == "grpc":
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # no C-core lines on stderr
        return probe_otlp_grpc(
            settings.otlp_endpoint.value,
            headers,
            compression,
            settings.otlp_insecure.value,
            timeout,
            signal,
        )
    return probe_otlp_http(settings.otlp_endpoint.value, headers, compression, timeout, signal)


#: How each console exporter draws what it is given.
_CONSOLE_SHAPES = {
    ("traces", "console"): "each trace drawn as a tree",
    ("traces", "console-lines"): "one line per span",
    ("metrics", "console"): "one line per data point",
    ("logs", "console"): "one JSON line per record",
}


def _check_exporters(
    settings: _Settings,
    timeout: float,
    problem: Callable[[str], None],
    signal: str = "traces",
) -> list[dict[str, Any]]:
    """Each exporter of *signal*, and whether its endpoint accepts an export."""
    exporters: list[dict[str, Any]] = []
    stream = settings.console_stream.value
    for name in settings.exporters.value:
        shape = _CONSOLE_SHAPES.get((signal, name))
        if shape is not None:
            exporters.append({"name": name, "destination": stream, "status": shape, "ok": True})
            continue
        if name == "otlp":
            grpc = settings.otlp_protocol.value == "grpc"
            module = "opentelemetry.exporter.otlp.proto." + ("grpc" if grpc else "http")
            url, extra = settings.otlp_endpoint.value, "otlp"
            name = f"otlp ({settings.otlp_protocol.value})"
        elif name == "zipkin" and isinstance(settings, ExportSettings):
            module = "opentelemetry.exporter.zipkin.json"
            url, extra = settings.zipkin_endpoint.value, "zipkin"
        else:  # pragma: no cover - resolve_settings only yields known names
            continue
        entry: dict[str, Any] = {"name": name, "destination": mask_url(url)}
        if not is_importable(module):
            entry.update(status="package missing", ok=False)
            problem(f'the {name} exporter needs: pip install "pynector[{extra}]"')
        else:
            result = _probe(name.split()[0], settings, timeout, signal)
            entry.update(status=f"export accepted ({result.answer})", ok=True)
            if result.problem is not None:
                entry.update(status=f"export FAILED ({result.answer})", ok=False)
                problem(f"{name} -> {mask_url(url)}: {result.problem}")
        exporters.append(entry)
    return exporters


def _own_exporters(exporters: object, signal: Signal) -> list[dict[str, Any]]:
    """The application's own exporters and processors among *exporters*, by class name."""
    entries: list[dict[str, Any]] = []
    for choice in own_choices(exporters, signal):
        role = role_of(type(choice))
        kind = KINDS[signal][role[1] if role is not None else 0]
        status = "delivered by pynector, not probed" if kind.endswith("Exporter") else "as given"
        entries.append(
            {
                "name": type(choice).__name__,
                "destination": f"the application's own {kind}",
                "status": status,
                "ok": True,
            }
        )
    return entries


def examine(
    timeout: float = 2.0,
    *,
    trace_exporters: object = None,
    metric_exporters: object = None,
    log_exporters: object = None,
) -> Report:
    """Look at the packages, the settings and the exporters' endpoints.

    The exporter arguments are ``configure_telemetry``'s (``None``: the
    environment's); an exporter or processor of the application's own is
    listed by its class name, never its ``repr``.
    """
    report = Report()
    for distribution, (module, _) in _PACKAGES.items():
        report.packages[distribution] = _installed_version(distribution, module)

    # The same checks, and so the same warnings, as configure_telemetry.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings = resolve_settings(exporters=trace_exporters)  # type: ignore[arg-type]
        metric_settings = resolve_metric_settings(exporters=metric_exporters)  # type: ignore[arg-type]
        log_settings = resolve_log_settings(exporters=log_exporters)  # type: ignore[arg-type]
        report.tracing_disabled = get_env_bool("OTEL_SDK_DISABLED")
        get_env_dict("OTEL_RESOURCE_ATTRIBUTES")
        check_sdk_variables()
        renderer_name()  # PYNECTOR_LOG_FORMAT
    report.problems.extend(str(warning.message) for warning in caught)

    report.settings = _rows(settings.items())
    # The service name is the tracing section's: both signals share the resource.
    report.metric_settings = _rows(metric_settings.items()[1:])
    report.log_settings = _rows(log_settings.items())
    if not is_importable("opentelemetry.sdk.trace"):
        report.problems.append(
            'the OpenTelemetry SDK is missing: pip install "pynector[observability]"'
        )
    elif not report.tracing_disabled:
        report.exporters = _check_exporters(settings, timeout, report.problems.append)
        report.exporters += _own_exporters(trace_exporters, "traces")
        report.metric_exporters = _check_exporters(
            metric_settings, timeout, report.problems.append, "metrics"
        )
        report.metric_exporters += _own_exporters(metric_exporters, "metrics")
        report.log_exporters = _check_exporters(
            log_settings, timeout, report.problems.append, "logs"
        )
        report.log_exporters += _own_exporters(log_exporters, "logs")
    return report


def _rows(settings: list[tuple[str, Setting[Any]]]) -> list[dict[str, str]]:
    return [
        {"name": name, "value": _display(name, setting), "source": _source(setting)}
        for name, setting in settings
    ]


def _write_section(
    title: str,
    rows: list[dict[str, str]],
    exporters_title: str,
    exporters: list[dict[str, Any]],
    out: TextIO,
) -> None:
    """One signal's settings, then its exporters."""
    print(f"\n{title}", file=out)
    for row in rows:
        print(f"  {row['name']:<26} {row['value']:<44} {row['source']}", file=out)
    print(f"\n{exporters_title}", file=out)
    for entry in exporters:
        print(f"  {entry['name']} -> {entry['destination']}: {entry['status']}", file=out)


def _write_text(report: Report, out: TextIO) -> None:
    print("pynector telemetry doctor\n\nOptional packages", file=out)
    for distribution, found in report.packages.items():
        extra = _PACKAGES[distribution][1]
        hint = f'  (pip install "pynector[{extra}]")' if extra and not found else ""
        print(f"  {distribution:<40} {found or 'not installed'}{hint}", file=out)
    _write_section(
        f"Effective configuration\n  {TAKES_EFFECT}",
        report.settings,
        "Exporters",
        [],
        out,
    )
    if report.tracing_disabled:
        print("  (none: OTEL_SDK_DISABLED is true, so tracing is off)", file=out)
    for entry in report.exporters:
        print(f"  {entry['name']} -> {entry['destination']}: {entry['status']}", file=out)
    if not report.exporters and not report.tracing_disabled:
        print("  (none: spans are not exported)", file=out)
    _write_section(
        "Metrics configuration",
        report.metric_settings,
        "Metric exporters",
        report.metric_exporters,
        out,
    )
    if not report.metric_exporters and not report.tracing_disabled:
        print("  (none: metrics are not exported; OTEL_METRICS_EXPORTER turns them on)", file=out)
    _write_section(
        "Log export configuration", report.log_settings, "Log exporters", report.log_exporters, out
    )
    if not report.log_exporters and not report.tracing_disabled:
        print(
            "  (none: log records stay on this machine; OTEL_LOGS_EXPORTER=otlp sends them)",
            file=out,
        )
    if report.problems:
        print("\nProblems", file=out)
        for problem in report.problems:
            print(f"  - {problem}", file=out)
    else:
        print("\nNo problems found.", file=out)


class _RedactingWriter:
    """Writes to *out* through the redaction rules (each print is one write)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(diagnostic_redactor().redact_text(text))

    def flush(self) -> None:
        self._out.flush()


def run_doctor(
    out: TextIO, connect_timeout: float = 2.0, *, as_json: bool = False, **exporters: object
) -> int:
    """Write the report to *out*; return 0 if all is well, 1 if something is misconfigured.

    *exporters* are ``configure_telemetry``'s ``trace_exporters``,
    ``metric_exporters`` and ``log_exporters``, to examine a configuration
    made in code (the command line examines the environment's).
    """
    report = examine(connect_timeout, **exporters)
    if as_json:
        document = {
            "packages": report.packages,
            "settings": report.settings,
            "takes_effect": TAKES_EFFECT,
            "tracing_disabled": report.tracing_disabled,
            "exporters": report.exporters,
            "metric_settings": report.metric_settings,
            "metric_exporters": report.metric_exporters,
            "log_settings": report.log_settings,
            "log_exporters": report.log_exporters,
            "problems": report.problems,
            "ok": not report.problems,
        }
        json.dump(diagnostic_redactor().redact(document), out, indent=2)
        out.write("\n")
    else:
        _write_text(report, _RedactingWriter(out))  # type: ignore[arg-type]
    return 1 if report.problems else 0
