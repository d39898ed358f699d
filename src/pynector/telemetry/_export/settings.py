"""The effective export configuration, and where each value came from.

Every value is resolved the same way: an explicit argument to
:func:`~pynector.telemetry.configure_telemetry` beats the ``OTEL_*``
environment variable, which beats the default.  A malformed environment
value produces one :class:`~pynector.telemetry.TelemetryWarning` naming the
variable and the value, and the default is used.  Each resolved
:class:`Setting` remembers its source, which is what
``python -m pynector.telemetry doctor`` prints.

Meanings follow the OpenTelemetry specification, including where the
Python SDK differs: ``OTEL_EXPORTER_OTLP_TIMEOUT`` and ``OTEL_BSP_*`` times
are milliseconds, and ``OTEL_EXPORTER_OTLP_ENDPOINT`` is a base URL to
which ``/v1/traces`` is appended for HTTP, while
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is used as given.

Two defaults differ from the specification on purpose, so that a burst of
spans is not dropped and a process never waits long on a dead collector:
the export queue holds 32,768 spans (not 2,048), and the OTLP protocol is
``http/protobuf``, which the specification recommends as the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from ..exporters import OTLP, Console, ExporterChoice, Zipkin
from .endpoints import parse_url, with_signal_path
from .environment import InvalidValue, get_env_dict, get_env_str, parse_bool, warn_malformed

__all__ = ["ExportSettings", "Setting", "resolve_settings"]

_T = TypeVar("_T")
_O = TypeVar("_O", OTLP, Zipkin, Console)
Source = Literal["argument", "environment", "default"]

EXPORTERS = ("otlp", "console", "console-lines", "zipkin", "none")
CONSOLE_STREAMS = ("stderr", "stdout")
CONSOLE_COLORS = ("auto", "always", "never")
OTLP_PROTOCOLS = ("http/protobuf", "grpc")
COMPRESSIONS = ("none", "gzip")
SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)
DEFAULT_OTLP_HTTP_ENDPOINT = "http://localhost:4318/v1/traces"
DEFAULT_OTLP_GRPC_ENDPOINT = "http://localhost:4317"
DEFAULT_ZIPKIN_ENDPOINT = "http://localhost:9411/api/v2/spans"


@dataclass(frozen=True)
class Setting(Generic[_T]):
    """One resolved value: what it is, where it came from, which variable was read."""

    value: _T
    source: Source
    variable: str | None = None
    secret: bool = field(default=False, compare=False)


def _resolve(
    argument: _T | None,
    variables: Sequence[str],
    parse: Callable[[str], _T],
    default: _T,
    *,
    secret: bool = False,
) -> Setting[_T]:
    """Argument, else the first set variable (parsed), else *default*."""
    if argument is not None:
        return Setting(argument, "argument", None, secret)
    for variable in variables:
        raw = get_env_str(variable)
        if raw is None:
            continue
        try:
            return Setting(parse(raw), "environment", variable, secret)
        except InvalidValue as error:
            shown = "<hidden>" if secret else raw
            warn_malformed(variable, shown, str(error), default)
            return Setting(default, "default", variable, secret)
    return Setting(default, "default", variables[0] if variables else None, secret)


def _choice(options: Sequence[str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in options:
            raise InvalidValue("one of " + ", ".join(options))
        return value

    return parse


def _exporter_list(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip().lower() for n in raw.split(",") if n.strip()))
    known = tuple(name for name in names if name in EXPORTERS)
    if not known:
        raise InvalidValue("a comma-separated list of " + ", ".join(EXPORTERS))
    for name in names:
        if name not in EXPORTERS:
            warn_malformed(
                "OTEL_TRACES_EXPORTER", name, "one of " + ", ".join(EXPORTERS), "skipped"
            )
    return tuple(name for name in known if name != "none")


def _milliseconds(minimum: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise InvalidValue("a number of milliseconds") from None
        if not value >= minimum or value == float("inf"):
            raise InvalidValue(f"a number of milliseconds >= {minimum:g}")
        return value / 1000.0

    return parse


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InvalidValue("a positive whole number") from None
    if value <= 0:
        raise InvalidValue("a positive whole number")
    return value


def _ratio(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InvalidValue("a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise InvalidValue("a number from 0 to 1")
    return value


def _base_url_plus_traces_path(raw: str) -> str:
    return with_signal_path(parse_url(raw), "traces")


def _headers(name: str) -> Callable[[str], dict[str, str]]:
    def parse(raw: str) -> dict[str, str]:
        return get_env_dict(name, secret=True)

    return parse


def _propagator_list(raw: str) -> tuple[str, ...]:
    names = tuple(n.strip().lower() for n in raw.split(",") if n.strip())
    if not names:
        raise InvalidValue("a comma-separated list of propagator names")
    return names


@dataclass(frozen=True)
class ExportSettings:
    """Everything that decides where spans go and how they are batched."""

    service_name: Setting[str]
    exporters: Setting[tuple[str, ...]]
    otlp_protocol: Setting[str]
    otlp_endpoint: Setting[str]
    otlp_headers: Setting[dict[str, str]]
    otlp_timeout: Setting[float]
    otlp_compression: Setting[str]
    otlp_insecure: Setting[bool]
    zipkin_endpoint: Setting[str]
    zipkin_timeout: Setting[float]
    sampler: Setting[str | None]
    sampler_arg: Setting[float]
    propagators: Setting[tuple[str, ...]]
    bsp_schedule_delay: Setting[float]
    bsp_max_queue_size: Setting[int]
    bsp_max_export_batch_size: Setting[int]
    bsp_export_timeout: Setting[float]
    console_stream: Setting[str]
    console_colors: Setting[str]
    console_pending_after: Setting[float]

    def items(self) -> list[tuple[str, Setting[Any]]]:
        """``(name, setting)`` pairs in declaration order, for display."""
        return [(name, getattr(self, name)) for name in self.__dataclass_fields__]


def _signal_then_generic(suffix: str) -> tuple[str, str]:
    return f"OTEL_EXPORTER_OTLP_TRACES_{suffix}", f"OTEL_EXPORTER_OTLP_{suffix}"


def _otlp_endpoint(argument: str | None, protocol: str) -> Setting[str]:
    grpc = protocol == "grpc"
    default = DEFAULT_OTLP_GRPC_ENDPOINT if grpc else DEFAULT_OTLP_HTTP_ENDPOINT
    if argument is None and get_env_str("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is None:
        # Only the generic, base-URL variable is set (or none): the HTTP path
        # is appended to it; gRPC takes it as it is.
        return _resolve(
            None,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"],
            parse_url if grpc else _base_url_plus_traces_path,
            default,
        )
    return _resolve(argument, ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], parse_url, default)


def _checked_argument(label: str, value: str | None, parse: Callable[[str], str]) -> str | None:
    """Validate an explicit argument; a bad one warns and falls back to the environment."""
    if value is None:
        return None
    try:
        return parse(value)
    except InvalidValue as error:
        warn_malformed(label, value, str(error), "the environment or default")
        return None


def _exporter_names(exporters: Sequence[ExporterChoice]) -> tuple[str, ...]:
    names: list[str] = []
    for choice in exporters:
        if isinstance(choice, OTLP):
            name = "otlp"
        elif isinstance(choice, Zipkin):
            name = "zipkin"
        elif isinstance(choice, Console):
            name = "console-lines" if choice.format == "lines" else "console"
        else:
            name = str(choice).strip().lower()
        if name != "none" and name not in names:
            names.append(name)
    return tuple(names)


def _options(exporters: Sequence[ExporterChoice] | None, kind: type[_O]) -> _O:
    for choice in exporters or ():
        if isinstance(choice, kind):
            return choice
    return kind()


def resolve_settings(
    *,
    service_name: str | None = None,
    exporters: Sequence[ExporterChoice] | None = None,
    sampler: str | None = None,
    sampler_arg: float | None = None,
    propagators: Sequence[str] | None = None,
) -> ExportSettings:
    """Resolve every setting from arguments, the environment and defaults.

    Options of an :class:`~pynector.telemetry.exporters.OTLP`,
    :class:`~pynector.telemetry.exporters.Zipkin` or
    :class:`~pynector.telemetry.exporters.Console` in *exporters* count as
    arguments.
    """
    otlp = _options(exporters, OTLP)
    zipkin = _options(exporters, Zipkin)
    console = _options(exporters, Console)
    console_colors = None if console.colors is None else ("always" if console.colors else "never")
    otlp_protocol = _checked_argument("OTLP(protocol=...)", otlp.protocol, _choice(OTLP_PROTOCOLS))
    protocol = _resolve(
        otlp_protocol, _signal_then_generic("PROTOCOL"), _choice(OTLP_PROTOCOLS), "http/protobuf"
    )
    headers_variable = next(
        (name for name in _signal_then_generic("HEADERS") if get_env_str(name) is not None),
        "OTEL_EXPORTER_OTLP_HEADERS",
    )
    return ExportSettings(
        service_name=_resolve(service_name, ["OTEL_SERVICE_NAME"], str.strip, "unknown_service"),
        exporters=_resolve(
            None if exporters is None else _exporter_names(exporters),
            ["OTEL_TRACES_EXPORTER"],
            _exporter_list,
            ("otlp",),
        ),
        otlp_protocol=protocol,
        otlp_endpoint=_otlp_endpoint(otlp.endpoint, protocol.value),
        otlp_headers=_resolve(
            None if otlp.headers is None else dict(otlp.headers),
            [headers_variable],
            _headers(headers_variable),
            {},
            secret=True,
        ),
        otlp_timeout=_resolve(
            otlp.timeout, _signal_then_generic("TIMEOUT"), _milliseconds(1), 10.0
        ),
        otlp_compression=_resolve(
            otlp.compression, _signal_then_generic("COMPRESSION"), _choice(COMPRESSIONS), "none"
        ),
        otlp_insecure=_resolve(otlp.insecure, _signal_then_generic("INSECURE"), parse_bool, False),
        zipkin_endpoint=_resolve(
            zipkin.endpoint, ["OTEL_EXPORTER_ZIPKIN_ENDPOINT"], parse_url, DEFAULT_ZIPKIN_ENDPOINT
        ),
        zipkin_timeout=_resolve(
            zipkin.timeout, ["OTEL_EXPORTER_ZIPKIN_TIMEOUT"], _milliseconds(1), 10.0
        ),
        sampler=_resolve(sampler, ["OTEL_TRACES_SAMPLER"], _choice(SAMPLERS), None),
        sampler_arg=_resolve(sampler_arg, ["OTEL_TRACES_SAMPLER_ARG"], _ratio, 1.0),
        propagators=_resolve(
            None if propagators is None else tuple(propagators),
            ["OTEL_PROPAGATORS"],
            _propagator_list,
            ("tracecontext", "baggage"),
        ),
        bsp_schedule_delay=_resolve(None, ["OTEL_BSP_SCHEDULE_DELAY"], _milliseconds(0), 5.0),
        bsp_max_queue_size=_resolve(None, ["OTEL_BSP_MAX_QUEUE_SIZE"], _positive_int, 32_768),
        bsp_max_export_batch_size=_resolve(
            None, ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"], _positive_int, 512
        ),
        bsp_export_timeout=_resolve(None, ["OTEL_BSP_EXPORT_TIMEOUT"], _milliseconds(1), 30.0),
        console_stream=_resolve(
            _checked_argument("Console(stream=...)", console.stream, _choice(CONSOLE_STREAMS)),
            ["PYNECTOR_CONSOLE_STREAM"],
            _choice(CONSOLE_STREAMS),
            "stderr",
        ),
        console_colors=_resolve(
            console_colors, ["PYNECTOR_CONSOLE_COLORS"], _choice(CONSOLE_COLORS), "auto"
        ),
        console_pending_after=_resolve(
            console.pending_after, ["PYNECTOR_CONSOLE_PENDING_MS"], _milliseconds(0), 1.0
        ),
    )
