"""The effective export configuration, and where each value came from.

Every value is resolved the same way: an explicit argument to
:func:`~pynector.telemetry.configure_telemetry` beats the ``OTEL_*``
environment variable, which beats the default.  Arguments and variables go
through the same parsers, with the same range checks (:mod:`.parsers`).  A
bad value produces one :class:`~pynector.telemetry.TelemetryWarning` naming
the argument or variable and the value (shortened, credentials masked),
and the next source is used: a bad argument falls back to the environment,
a bad variable to the default.  Each resolved :class:`Setting` remembers
its source, which is what ``python -m pynector.telemetry doctor`` prints.

Meanings follow the OpenTelemetry specification, including where the
Python SDK differs: ``OTEL_EXPORTER_OTLP_TIMEOUT`` and ``OTEL_BSP_*`` times
are milliseconds (arguments are seconds), and ``OTEL_EXPORTER_OTLP_ENDPOINT``
is a base URL to which ``/v1/traces`` is appended for HTTP, while
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is used as given.

Two defaults differ from the specification on purpose, so that a burst of
spans is not dropped and a process never waits long on a dead collector:
the export queue holds 32,768 spans (not 2,048), and the OTLP protocol is
``http/protobuf``, which the specification recommends as the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from ..exporters import OTLP, Console, TraceExporterChoice, Zipkin
from .endpoints import signal_url, with_signal_path
from .environment import (
    InvalidEntries,
    InvalidValue,
    get_env_str,
    parse_bool,
    warn_malformed,
    warn_skipped,
)
from .parsers import (
    EXPORT_TIMEOUT,
    PENDING_AFTER,
    SCHEDULE_DELAY,
    choice,
    count,
    exporter_choices,
    exporter_list,
    headers,
    name_list,
    ratio,
    text,
    url,
)
from .shown import shown_value

__all__ = [
    "VARIABLES",
    "ExportSettings",
    "Setting",
    "SettingsItems",
    "check_sdk_variables",
    "resolve_batching",
    "resolve_console_stream",
    "resolve_otlp",
    "resolve_service_name",
    "resolve_settings",
]

_T = TypeVar("_T")
_O = TypeVar("_O", OTLP, Zipkin, Console)
Source = Literal["argument", "environment", "default"]

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
#: The local collector's OTLP/HTTP base URL; each signal appends its path (``/v1/traces``).
DEFAULT_OTLP_HTTP_BASE = "http://localhost:4318"
DEFAULT_OTLP_GRPC_ENDPOINT = "http://localhost:4317"
DEFAULT_ZIPKIN_ENDPOINT = "http://localhost:9411/api/v2/spans"
#: Characters kept of a string attribute value when no *_VALUE_LENGTH_LIMIT
#: is set: with 128 attributes (the SDK's default count limit) a span stays
#: under 2 MiB, well within gRPC's 4 MiB per request.
DEFAULT_VALUE_LENGTH_LIMIT = 4096

#: Every variable :func:`resolve_settings` reads.  OpenTelemetry's SDK is
#: handed the resolved values explicitly and must not parse these again.
VARIABLES = (
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
    *(
        f"OTEL_EXPORTER_OTLP_{signal}{suffix}"
        for suffix in ("PROTOCOL", "ENDPOINT", "HEADERS", "TIMEOUT", "COMPRESSION", "INSECURE")
        for signal in ("TRACES_", "")
    ),
    "OTEL_EXPORTER_ZIPKIN_ENDPOINT",
    "OTEL_EXPORTER_ZIPKIN_TIMEOUT",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_BSP_SCHEDULE_DELAY",
    "OTEL_BSP_MAX_QUEUE_SIZE",
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    "OTEL_BSP_EXPORT_TIMEOUT",
)

_console_color_choice = choice(CONSOLE_COLORS)


def _length_limit(raw: object) -> int:
    """A value length limit: a whole number of 0 or more, as OpenTelemetry's SDK reads it
    (so that a malformed value gets the one warning :func:`check_sdk_variables` gives)."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidValue("a whole number of 0 or more")
    return int(text)


def _console_colors(raw: object) -> str:
    """``Console(colors=True/False)`` forces them; the variable says ``auto|always|never``."""
    if isinstance(raw, bool):
        return "always" if raw else "never"
    return _console_color_choice(raw)


@dataclass(frozen=True)
class Setting(Generic[_T]):
    """One resolved value: what it is, where it came from, which variable was read."""

    value: _T
    source: Source
    variable: str | None = None
    secret: bool = field(default=False, compare=False)


def _from_environment(
    variables: Sequence[str], parse: Callable[[object], _T], default: _T, secret: bool
) -> Setting[_T]:
    """The first set variable, parsed; else *default*."""
    for variable in variables:
        raw = get_env_str(variable)
        if raw is None:
            continue
        try:
            return Setting(parse(raw), "environment", variable, secret)
        except InvalidEntries as error:
            for entry, expected in error.explained():
                warn_skipped(variable, entry, expected, secret=secret)
            return Setting(error.value, "environment", variable, secret)
        except Exception as error:  # InvalidValue, or a parser bug: never raise
            expected = str(error) if isinstance(error, InvalidValue) else "a valid value"
            warn_malformed(variable, raw, expected, default, secret=secret)
            return Setting(default, "default", variable, secret)
    return Setting(default, "default", variables[0] if variables else None, secret)


def _with_argument(
    argument: object,
    parse: Callable[[object], _T],
    label: str,
    fallback: Callable[[], Setting[_T]],
    secret: bool = False,
) -> Setting[_T]:
    """*argument* parsed; if it is ``None`` or bad, what *fallback* resolves to."""
    if argument is None:
        return fallback()
    try:
        return Setting(parse(argument), "argument", None, secret)
    except InvalidEntries as error:
        for entry, expected in error.explained():
            warn_skipped(label, entry, expected, secret=secret)
        return Setting(error.value, "argument", None, secret)
    except Exception as error:
        expected = str(error) if isinstance(error, InvalidValue) else "a valid value"
        used = fallback()
        instead = None
        if used.source == "environment" and used.variable is not None:
            raw = get_env_str(used.variable)
            instead = f"{used.variable}={shown_value(raw, secret=secret)}"
        warn_malformed(label, argument, expected, used.value, secret=secret, instead=instead)
        return used


def _resolve(
    argument: object,
    variables: Sequence[str],
    parse: Callable[[object], _T],
    default: _T,
    *,
    secret: bool = False,
    label: str | None = None,
    parse_argument: Callable[[object], _T] | None = None,
) -> Setting[_T]:
    """Argument (parsed with *parse_argument*, else *parse*), else the first
    set variable (parsed), else *default*."""
    return _with_argument(
        argument,
        parse_argument or parse,
        label or "argument",
        lambda: _from_environment(variables, parse, default, secret),
        secret,
    )


class SettingsItems:
    """What every settings dataclass answers: its settings, for display."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def items(self) -> list[tuple[str, Setting[Any]]]:
        """``(name, setting)`` pairs in declaration order, for display."""
        return [(name, getattr(self, name)) for name in self.__dataclass_fields__]


@dataclass(frozen=True)
class ExportSettings(SettingsItems):
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
    sampler: Setting[str]
    sampler_arg: Setting[float]
    propagators: Setting[tuple[str, ...]]
    bsp_schedule_delay: Setting[float]
    bsp_max_queue_size: Setting[int]
    bsp_max_export_batch_size: Setting[int]
    bsp_export_timeout: Setting[float]
    console_stream: Setting[str]
    console_colors: Setting[str]
    console_pending_after: Setting[float]
    attribute_value_length_limit: Setting[int]


def _signal_then_generic(suffix: str, signal: str = "traces") -> tuple[str, str]:
    return f"OTEL_EXPORTER_OTLP_{signal.upper()}_{suffix}", f"OTEL_EXPORTER_OTLP_{suffix}"


def _otlp_endpoint(argument: object, protocol: str, signal: str = "traces") -> Setting[str]:
    grpc = protocol == "grpc"
    default = (
        DEFAULT_OTLP_GRPC_ENDPOINT if grpc else with_signal_path(DEFAULT_OTLP_HTTP_BASE, signal)
    )
    specific, generic = _signal_then_generic("ENDPOINT", signal)

    def base_url_plus_signal_path(raw: object) -> str:
        return with_signal_path(url(raw), signal)

    def from_environment() -> Setting[str]:
        if get_env_str(specific) is not None:
            return _from_environment([specific], url, default, False)
        # Only the generic, base-URL variable is set (or none): the HTTP path
        # is appended to it; gRPC takes it as it is.
        parse = url if grpc else base_url_plus_signal_path
        return _from_environment([generic], parse, default, False)

    def from_argument(raw: object) -> str:
        # In code, a URL without a path means the collector: the HTTP path is
        # appended, as for OTEL_EXPORTER_OTLP_ENDPOINT; a path is kept as given.
        return url(raw) if grpc else signal_url(url(raw), signal)

    return _with_argument(argument, from_argument, "OTLP(endpoint=...)", from_environment)


def resolve_otlp(otlp: OTLP, signal: str = "traces") -> dict[str, Setting[Any]]:
    """The OTLP options of *signal* (``traces``, ``logs``), as ``otlp_*`` settings.

    Each comes from *otlp*, else the signal's variable
    (``OTEL_EXPORTER_OTLP_LOGS_TIMEOUT``), else the generic one, else
    the default.
    """
    protocol = _resolve(
        otlp.protocol,
        _signal_then_generic("PROTOCOL", signal),
        choice(OTLP_PROTOCOLS),
        "http/protobuf",
        label="OTLP(protocol=...)",
    )
    return {
        "otlp_protocol": protocol,
        "otlp_endpoint": _otlp_endpoint(otlp.endpoint, protocol.value, signal),
        "otlp_headers": _resolve(
            otlp.headers,
            _signal_then_generic("HEADERS", signal),
            headers,
            {},
            secret=True,
            label="OTLP(headers=...)",
        ),
        "otlp_timeout": _resolve(
            otlp.timeout,
            _signal_then_generic("TIMEOUT", signal),
            EXPORT_TIMEOUT.from_environment,
            10.0,
            label="OTLP(timeout=...)",
            parse_argument=EXPORT_TIMEOUT.from_argument,
        ),
        "otlp_compression": _resolve(
            otlp.compression,
            _signal_then_generic("COMPRESSION", signal),
            choice(COMPRESSIONS),
            "none",
            label="OTLP(compression=...)",
        ),
        "otlp_insecure": _resolve(
            otlp.insecure,
            _signal_then_generic("INSECURE", signal),
            parse_bool,
            False,
            label="OTLP(insecure=...)",
        ),
    }


def _options(exporters: object, kind: type[_O]) -> _O:
    """The first *kind* options object among *exporters*, else one with every option unset."""
    try:
        choices = exporter_choices(exporters) if exporters is not None else []
    except InvalidValue:  # resolving the exporters warns about it
        choices = []
    for choice_ in choices:
        if isinstance(choice_, kind):
            return choice_
    return kind()


def resolve_settings(
    *,
    service_name: str | None = None,
    exporters: Sequence[TraceExporterChoice] | TraceExporterChoice | None = None,
    sampler: str | None = None,
    sampler_arg: float | None = None,
    propagators: Sequence[str] | None = None,
) -> ExportSettings:
    """Resolve every setting from arguments, the environment and defaults.

    Options of an :class:`~pynector.telemetry.exporters.OTLP`,
    :class:`~pynector.telemetry.exporters.Zipkin` or
    :class:`~pynector.telemetry.exporters.Console` in *exporters* count as
    arguments.  Never raises, whatever the arguments are.
    """
    zipkin = _options(exporters, Zipkin)
    console = _options(exporters, Console)
    return ExportSettings(
        service_name=resolve_service_name(service_name),
        exporters=_resolve(
            exporters, ["OTEL_TRACES_EXPORTER"], exporter_list, ("otlp",), label="trace_exporters"
        ),
        **resolve_otlp(_options(exporters, OTLP), "traces"),
        zipkin_endpoint=_resolve(
            zipkin.endpoint,
            ["OTEL_EXPORTER_ZIPKIN_ENDPOINT"],
            url,
            DEFAULT_ZIPKIN_ENDPOINT,
            label="Zipkin(endpoint=...)",
        ),
        zipkin_timeout=_resolve(
            zipkin.timeout,
            ["OTEL_EXPORTER_ZIPKIN_TIMEOUT"],
            EXPORT_TIMEOUT.from_environment,
            10.0,
            label="Zipkin(timeout=...)",
            parse_argument=EXPORT_TIMEOUT.from_argument,
        ),
        sampler=_resolve(
            sampler,
            ["OTEL_TRACES_SAMPLER"],
            choice(SAMPLERS),
            "parentbased_always_on",
            label="sampler",
        ),
        sampler_arg=_resolve(
            sampler_arg, ["OTEL_TRACES_SAMPLER_ARG"], ratio, 1.0, label="sampler_arg"
        ),
        propagators=_resolve(
            propagators,
            ["OTEL_PROPAGATORS"],
            name_list,
            ("tracecontext", "baggage"),
            label="propagators",
        ),
        **resolve_batching("BSP", schedule_delay=5.0),
        console_stream=resolve_console_stream(console),
        console_colors=_resolve(
            console.colors,
            ["PYNECTOR_CONSOLE_COLORS"],
            _console_colors,
            "auto",
            label="Console(colors=...)",
        ),
        console_pending_after=_resolve(
            console.pending_after,
            ["PYNECTOR_CONSOLE_PENDING_MS"],
            PENDING_AFTER.from_environment,
            1.0,
            label="Console(pending_after=...)",
            parse_argument=PENDING_AFTER.from_argument,
        ),
        attribute_value_length_limit=_resolve(
            None,
            ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"],
            _length_limit,
            DEFAULT_VALUE_LENGTH_LIMIT,
        ),
    )


def resolve_batching(processor: str, *, schedule_delay: float) -> dict[str, Setting[Any]]:
    """A batch processor's four ``OTEL_<processor>_*`` settings (``BSP`` for
    spans, ``BLRP`` for log records), as ``<processor>_*`` fields.

    The queue holds 32,768 items (the specification says 2,048), so that a
    burst is not dropped.
    """
    prefix = processor.lower()
    return {
        f"{prefix}_schedule_delay": _resolve(
            None,
            [f"OTEL_{processor}_SCHEDULE_DELAY"],
            SCHEDULE_DELAY.from_environment,
            schedule_delay,
        ),
        f"{prefix}_max_queue_size": _resolve(
            None, [f"OTEL_{processor}_MAX_QUEUE_SIZE"], count(maximum=1_000_000), 32_768
        ),
        f"{prefix}_max_export_batch_size": _resolve(
            None, [f"OTEL_{processor}_MAX_EXPORT_BATCH_SIZE"], count(maximum=100_000), 512
        ),
        f"{prefix}_export_timeout": _resolve(
            None, [f"OTEL_{processor}_EXPORT_TIMEOUT"], EXPORT_TIMEOUT.from_environment, 30.0
        ),
    }


def resolve_console_stream(console: Console) -> Setting[str]:
    """Where the console exporters write: ``Console(stream=...)``, else
    ``PYNECTOR_CONSOLE_STREAM``, else stderr."""
    return _resolve(
        console.stream,
        ["PYNECTOR_CONSOLE_STREAM"],
        choice(CONSOLE_STREAMS),
        "stderr",
        label="Console(stream=...)",
    )


def resolve_service_name(service_name: object = None) -> Setting[str]:
    """The resource's ``service.name``: *service_name*, else ``OTEL_SERVICE_NAME``."""
    return _resolve(
        service_name, ["OTEL_SERVICE_NAME"], text, "unknown_service", label="service_name"
    )


#: Limits OpenTelemetry's SDK reads for itself when a tracer or logger
#: provider is made, raising ``ValueError`` on anything but a non-negative
#: whole number.
SDK_LIMIT_VARIABLES = (
    "OTEL_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_SPAN_EVENT_COUNT_LIMIT",
    "OTEL_SPAN_LINK_COUNT_LIMIT",
    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT",
    "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT",
)


def check_sdk_variables() -> list[str]:
    """Warn about each malformed variable the SDK reads itself; return their names.

    The caller hides them while the SDK builds its objects, so it uses its
    own defaults instead of raising.
    """
    malformed = []
    for variable in SDK_LIMIT_VARIABLES:
        raw = get_env_str(variable)
        if raw is not None and not (raw.isascii() and raw.isdigit()):
            warn_malformed(
                variable, raw, "a whole number of 0 or more", None, instead="the SDK's default"
            )
            malformed.append(variable)
    return malformed
