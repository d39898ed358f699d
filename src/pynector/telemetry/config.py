"""Application-side set-up: turn telemetry on for the whole process.

Only an *application* calls :func:`configure_telemetry`; libraries never do.
It installs an OpenTelemetry tracer provider with the chosen exporters, a
meter provider when metrics are asked for, and one logging pipeline
(structlog's events and every standard library record alike, stamped with
the current trace, and exported as OpenTelemetry log records when a log
exporter is asked for), and it never replaces what the
application already set up itself.

>>> configure_telemetry(service_name="checkout", trace_exporters=["console"])
True

Arguments beat ``OTEL_*`` environment variables, which beat defaults.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from . import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from ._attributes import coerce_attributes
from ._export.environment import (
    get_env_bool,
    get_env_dict,
    hidden_variables,
    warn_malformed,
    warn_skipped,
)
from ._export.last_shutdown import shut_down_provider_last
from ._export.log_settings import LOG_VARIABLES, LogSettings, resolve_log_settings
from ._export.meter_provider import configure_metrics
from ._export.metric_settings import METRIC_VARIABLES
from ._export.parsers import own_choices
from ._export.propagators import configure_propagators
from ._export.resource import build_resource_attributes
from ._export.sampling import build_sampler
from ._export.settings import (
    VARIABLES,
    ExportSettings,
    Setting,
    check_sdk_variables,
    resolve_service_name,
    resolve_settings,
)
from ._export.shown import shown_value
from ._export.span_processors import build_span_processors
from ._logs.console_logs import install_console_record_tap, set_console_sink
from ._logs.correlation import install_record_factory
from ._logs.otel_warnings import quiet_attribute_warnings
from ._logs.stdlib_pipeline import configure_root_logger, plain_formatter
from ._logs.structlog_pipeline import configure_structlog as _configure_structlog
from ._logs.structlog_pipeline import parse_log_level
from ._optional import OptionalNames
from ._warnings import warn_once
from .exporters import LogExporterChoice, MetricExporterChoice, TraceExporterChoice
from .redaction import Redactor, active_redactor, set_active_redactor

if TYPE_CHECKING:
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

__all__ = ["configure_telemetry", "get_env_bool", "get_env_dict"]

_optional = OptionalNames(
    globals(),
    {
        "trace": ("opentelemetry.trace", None),
        "Resource": ("opentelemetry.sdk.resources", "Resource"),
        "TracerProvider": ("opentelemetry.sdk.trace", "TracerProvider"),
    },
)
__getattr__ = _optional.module_getattr


def _sdk_reads_nothing_parsed() -> AbstractContextManager[None]:
    """Hide, while the SDK is imported and builds its objects, every variable
    pynector parsed.

    The SDK gets every value explicitly; it must not parse the same
    variables again (a second message, or an exception, for a malformed
    one), nor the limits it would raise on (even at import).
    """
    return hidden_variables(
        (
            *VARIABLES,
            *METRIC_VARIABLES,
            *LOG_VARIABLES,
            "OTEL_RESOURCE_ATTRIBUTES",
            *check_sdk_variables(),
        )
    )


def _configure_exporters(tracer_provider: Any, exporters: object) -> list[str]:
    """Add one span processor per exporter to *tracer_provider*; return their names.

    *exporters* ``None`` means ``OTEL_TRACES_EXPORTER``, whose default is
    ``otlp`` as in the OpenTelemetry specification.
    """
    settings = resolve_settings(exporters=exporters)  # type: ignore[arg-type]
    _protect_diagnostics(settings)
    with _sdk_reads_nothing_parsed():
        processors = build_span_processors(settings, exporters)
    redactor = active_redactor()
    configured = []
    set_console_sink(None)
    self_metrics = get_env_bool("OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED")
    for name, processor in processors:
        accept_log = getattr(processor, "accept_log", None)
        if name == "console" and accept_log is not None:
            # Log lines made inside a span are drawn under it in the tree.
            set_console_sink(accept_log)
            install_console_record_tap()
        if self_metrics:
            from ._export.processor_metrics import observe_processor

            observe_processor(processor, "span")
        if redactor is not None:
            processor = _redacting(processor, redactor)
        tracer_provider.add_span_processor(processor)
        configured.append(name)
    return configured


def _redacting(processor: Any, redactor: Redactor) -> Any:
    """*processor* with redaction in front of its exporter.

    Wrapping the exporter rather than the processor runs redaction where
    the export runs: in the delivering processor's background thread, off
    the application's path (the console exports synchronously anyway).
    """
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    from ._export.span_delivery import DeliveringSpanProcessor
    from ._export.span_redaction import RedactingSpanExporter, RedactingSpanProcessor

    if isinstance(processor, RedactingSpanProcessor):  # the application's own, as given
        return processor
    if isinstance(processor, DeliveringSpanProcessor):  # also the exporters made after a fork
        processor.wrap_exporter(lambda exporter: RedactingSpanExporter(exporter, redactor))
    elif isinstance(processor, SimpleSpanProcessor):
        processor.span_exporter = RedactingSpanExporter(processor.span_exporter, redactor)
    else:
        processor = RedactingSpanProcessor(processor, redactor=redactor)
    return processor


def _protect_diagnostics(settings: ExportSettings | LogSettings) -> None:
    """Exporter errors can quote header values (an API key with a stray
    newline...): treat those values as secrets in every message."""
    from ._logs.record_redaction import protect_export_logger
    from ._secret_text import register_literals

    register_literals(settings.otlp_headers.value.values())
    protect_export_logger()


def _configure_tracing(
    settings: ExportSettings, extra_attributes: Mapping[str, Any] | None, trace_exporters: object
) -> bool:
    with _sdk_reads_nothing_parsed():
        _optional.load()
    # Spans become real now, and the first one would import attribute
    # coercion.  Import it here instead: a fork while another thread is
    # inside that import copies the import lock held, and the child's first
    # span would wait for it forever.
    from . import _attributes  # noqa: F401

    current = trace.get_tracer_provider()
    if not isinstance(current, trace.ProxyTracerProvider):
        warn_once(
            "provider-exists",
            f"A tracer provider is already set ({type(current).__name__}); "
            "configure_telemetry keeps it and adds no exporters. Spans go wherever "
            "that provider sends them.",
        )
        return True
    attributes = _resource_attributes_redacted(settings.service_name, extra_attributes)
    sampler = build_sampler(settings)
    with _sdk_reads_nothing_parsed():
        resource = Resource.create(attributes)
        if sampler is None:
            tracer_provider = TracerProvider(resource=resource)
        else:
            tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    _configure_exporters(tracer_provider, trace_exporters)
    trace.set_tracer_provider(tracer_provider)
    # After the exit hooks, not by its own (see _export.last_shutdown).
    shut_down_provider_last(tracer_provider, "spans")
    # Every span now leaves through a redacting exporter: the facades need
    # not redact attributes a second time.
    set_active_redactor(active_redactor(), exporters_redact=True)
    configure_propagators(settings.propagators)
    install_record_factory()
    quiet_attribute_warnings()
    return True


def configure_telemetry(
    service_name: str | None = None,
    resource_attributes: Mapping[str, Any] | None = None,
    trace_enabled: bool = True,
    trace_exporters: Sequence[TraceExporterChoice] | TraceExporterChoice | None = None,
    log_level: str | int = "INFO",
    log_processors: Sequence[Any] | None = None,
    *,
    sampler: str | None = None,
    sampler_arg: float | None = None,
    propagators: Sequence[str] | None = None,
    redact: bool = True,
    redact_keys: Sequence[str] = (),
    redact_patterns: Sequence[str | re.Pattern[str]] = (),
    redact_allow: Sequence[str] = (),
    metric_exporters: Sequence[MetricExporterChoice] | MetricExporterChoice | None = None,
    log_exporters: Sequence[LogExporterChoice] | LogExporterChoice | None = None,
) -> bool:
    """Turn on tracing, metrics and structured logging for this process.

    Args:
        service_name: ``service.name`` of the resource; default
            ``OTEL_SERVICE_NAME``, else ``unknown_service``.
        resource_attributes: extra resource attributes, on top of
            ``OTEL_RESOURCE_ATTRIBUTES``.
        trace_enabled: ``False`` leaves tracing off (so does
            ``OTEL_SDK_DISABLED=true``).
        trace_exporters: names among ``otlp``, ``console``,
            ``console-lines``, ``zipkin``, ``none`` (a list, one name, or
            ``"otlp,console"``),
            :class:`~pynector.telemetry.exporters.OTLP` /
            :class:`~pynector.telemetry.exporters.Zipkin` /
            :class:`~pynector.telemetry.exporters.Console` objects with
            explicit options, and OpenTelemetry ``SpanExporter`` or
            ``SpanProcessor`` instances of your own, mixed in one list
            (see below); default ``OTEL_TRACES_EXPORTER``, else ``otlp``.
        log_level: the lowest level written, for structlog events and
            standard library records alike: the root logger's level; a name
            (any case) or a number (``logging.WARNING``, or a level of the
            application's own, such as 15).
        log_processors: structlog processors run before rendering, over
            structlog events and standard library records alike.
        sampler: an ``OTEL_TRACES_SAMPLER`` name, e.g. ``"parentbased_traceidratio"``.
        sampler_arg: the ratio for ratio samplers (0 to 1).
        propagators: ``OTEL_PROPAGATORS`` names, e.g. ``["tracecontext", "baggage"]``.
        redact: replace secrets by ``[REDACTED]`` in everything exported or
            logged: spans (attributes, events, exceptions, links, status,
            resource), structlog events and standard library log records
            (see :mod:`pynector.telemetry.redaction`).  ``False`` turns it
            off; pynector's own warnings stay redacted.
        redact_keys: more keys whose values are secrets, on top of the defaults.
        redact_patterns: regular expressions whose matches are secrets (only
            the group named ``secret``, if the pattern has one).
        redact_allow: keys whose values are kept exactly as they are.
        metric_exporters: names among ``otlp``, ``console``, ``none``,
            :class:`~pynector.telemetry.exporters.OTLP` objects, and
            OpenTelemetry ``MetricExporter`` or ``MetricReader`` instances
            of your own (an ``InMemoryMetricReader`` in tests); default
            ``OTEL_METRICS_EXPORTER``, else none: no meter provider is set
            and every instrument stays a free no-op.
        log_exporters: where log records go besides the logging handlers:
            names among ``otlp``, ``console``, ``none``,
            :class:`~pynector.telemetry.exporters.OTLP` objects with explicit
            options, and OpenTelemetry ``LogRecordExporter`` or
            ``LogRecordProcessor`` instances of your own; default
            ``OTEL_LOGS_EXPORTER``, else none: log records leave the process
            only when the application asks.  Every record at or above
            *log_level* is exported, with its fields, trace context and
            exception, redacted like everything else.

    Returns:
        Whether tracing is active: ``True`` once a tracer provider is in
        place (this call's, or one the application had already set).

    An exporter instance of your own (``SpanExporter``,
    ``LogRecordExporter``, ``MetricExporter``) runs behind pynector's
    delivery, with the guarantees of the built-in exporters: batching in a
    background thread, every item accounted for, retries, a bounded exit
    with nothing lost and no ``shutdown()`` needed.  A forked child uses its
    copy of the same instance (pynector cannot make another); give
    :class:`~pynector.telemetry.exporters.OTLP` options for an exporter made
    afresh in each process.  A processor or reader of your own
    (``SpanProcessor``, ``LogRecordProcessor``, ``MetricReader``) is added
    to the provider as given and shut down with it at exit.  Both only ever
    see redacted data: a span processor's ``on_end`` gets a redacted copy
    (``on_start`` the live span, which it may still enrich), log records are
    redacted as they are made, and a metric reader receives each collection
    redacted.  Warnings and reports name your instances by class, never by
    ``repr``; anything else in these lists (another signal's exporter, a
    class instead of an instance) costs one warning saying where it belongs.

    A tracer or meter provider or a structlog configuration the application
    already set is kept, with one warning.  Logging handlers the application
    installed are kept and receive every record; a stderr handler is added
    only when the root logger has none.  Problems (a missing package, a bad
    value) are warnings, never exceptions: every argument goes through the
    same checks as its ``OTEL_*`` variable, and a bad one gives one warning
    naming it, then the environment's value or the default.
    """
    if not (HAS_OPENTELEMETRY or HAS_STRUCTLOG):
        warn_once(
            "nothing-installed",
            "configure_telemetry found neither OpenTelemetry nor structlog; telemetry "
            'stays off. Install them with: pip install "pynector[observability]"',
        )
        return False
    try:
        return _configure(
            service_name,
            resource_attributes,
            trace_enabled,
            trace_exporters,
            log_level,
            log_processors,
            sampler=sampler,
            sampler_arg=sampler_arg,
            propagators=propagators,
            redact=redact,
            redact_keys=redact_keys,
            redact_patterns=redact_patterns,
            redact_allow=redact_allow,
            metric_exporters=metric_exporters,
            log_exporters=log_exporters,
        )
    except Exception as error:  # every value is checked; this is the last line of defence
        warn_once(
            f"configure-failed:{type(error).__name__}",
            f"configure_telemetry could not finish ({type(error).__name__}: "
            f"{shown_value(str(error))}); telemetry may be partly off.",
        )
        return False


def _configure(
    service_name: object,
    resource_attributes: object,
    trace_enabled: object,
    trace_exporters: object,
    log_level: object,
    log_processors: object,
    *,
    sampler: object,
    sampler_arg: object,
    propagators: object,
    redact: object,
    redact_keys: object,
    redact_patterns: object,
    redact_allow: object,
    metric_exporters: object,
    log_exporters: object,
) -> bool:
    tracing = False
    # Compiled once, here; redacting afterwards only looks things up.
    redactor = None
    if redact:
        redactor = Redactor(
            _names("redact_keys", redact_keys),
            patterns=_names("redact_patterns", redact_patterns, re.Pattern),
            allow=_names("redact_allow", redact_allow),
        )
    set_active_redactor(redactor)
    enabled = HAS_OPENTELEMETRY and not get_env_bool("OTEL_SDK_DISABLED")
    if enabled:
        try:
            configure_metrics(
                service_name,
                _resource_attributes(resource_attributes),
                metric_exporters,
                _sdk_reads_nothing_parsed,
            )
        except ImportError as error:
            _warn_not_installed("Metrics", error)
        except Exception as error:  # e.g. a reader the SDK refuses: tracing and logs go on
            # Only the type: the SDK's messages hold the reader's repr (credentials, maybe).
            warn_once(
                f"metrics-failed:{type(error).__name__}",
                f"Metrics could not be set up ({type(error).__name__}); tracing and "
                "logging carry on without them.",
            )
    if enabled and trace_enabled:
        try:
            settings = resolve_settings(
                service_name=service_name,  # type: ignore[arg-type]
                exporters=trace_exporters,  # type: ignore[arg-type]
                sampler=sampler,  # type: ignore[arg-type]
                sampler_arg=sampler_arg,  # type: ignore[arg-type]
                propagators=propagators,  # type: ignore[arg-type]
            )
            tracing = _configure_tracing(
                settings, _resource_attributes(resource_attributes), trace_exporters
            )
        except ImportError as error:
            _warn_not_installed("Tracing", error)
    if HAS_STRUCTLOG:
        try:
            _configure_structlog(log_level, _processors(log_processors))  # type: ignore[arg-type]
        except ImportError as error:
            _warn_not_installed("Structured logging", error)
    else:  # the same root logger set-up, with a plain text formatter
        configure_root_logger(parse_log_level(log_level), plain_formatter())
    if redact:
        from ._logs.record_redaction import install_redacting_record_factory

        install_redacting_record_factory()
    # Last: our stderr handler goes on the root logger only if it has none.
    _configure_log_export(service_name, resource_attributes, log_exporters, log_level)
    return tracing


def _configure_log_export(
    service_name: object, resource_attributes: object, log_exporters: object, log_level: object
) -> None:
    """Export every record at or above *log_level* to the log exporters asked for.

    A handler of an earlier call is replaced (its records delivered first);
    the application's own exporters and processors it had and this call is
    given again carry on in the new one.
    """
    earlier = sys.modules.get("pynector.telemetry._logs.export_handler")
    settings = resolve_log_settings(exporters=log_exporters)  # type: ignore[arg-type]
    try:
        provider = _log_provider(
            settings,
            service_name,
            resource_attributes,
            log_exporters,
            earlier.installed_provider() if earlier is not None else None,
        )
    finally:
        if earlier is not None:
            earlier.uninstall_log_export()
    if provider is None:
        return
    from ._logs.export_handler import install_log_export

    install_record_factory()  # records carry the span current when they are made
    install_log_export(
        provider, parse_log_level(log_level), settings.attribute_value_length_limit.value
    )


def _log_provider(
    settings: LogSettings,
    service_name: object,
    resource_attributes: object,
    log_exporters: object,
    earlier: object,
) -> Any:
    """The logger provider for *settings*, or ``None`` when no record is to be exported."""
    asked = settings.exporters.value or own_choices(log_exporters, "logs")
    if not asked or get_env_bool("OTEL_SDK_DISABLED"):
        return None
    _protect_diagnostics(settings)
    self_metrics = get_env_bool("OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED")
    # Read now: the SDK builds its objects with the variables hidden.
    attributes = _resource_attributes_redacted(
        resolve_service_name(service_name), _resource_attributes(resource_attributes)
    )
    try:
        with _sdk_reads_nothing_parsed():
            from ._export.logger_provider import build_logger_provider

            return build_logger_provider(
                settings,
                lambda: _resource(attributes),
                self_metrics=self_metrics,
                exporters=log_exporters,
                earlier=earlier,
            )
    except ImportError as error:
        _warn_not_installed("Log export", error)
        return None


def _resource(attributes: Mapping[str, Any]) -> Resource:
    """The spans' resource: the tracer provider's, else one made the same way,
    of *attributes* (see :func:`_resource_attributes_redacted`)."""
    _optional.load()
    provider = trace.get_tracer_provider()
    resource = getattr(provider, "resource", None)
    if isinstance(resource, Resource):
        return resource
    return Resource.create(attributes)


def _resource_attributes_redacted(
    service_name: Setting[str], extra_attributes: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The resource's attributes, secrets redacted: every exporter and
    processor, the application's own included, sees the resource as it is."""
    attributes = build_resource_attributes(service_name, extra_attributes)
    redactor = active_redactor()
    return attributes if redactor is None else dict(redactor.redact(attributes))


def _resource_attributes(value: object) -> Mapping[str, Any] | None:
    """*value* as valid resource attributes (coerced like span attributes), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        warn_malformed("resource_attributes", value, "a mapping", None, instead="none")
        return None
    return coerce_attributes(value)


def _names(label: str, value: object, *also: type) -> tuple[Any, ...]:
    """One name, or an iterable of names (or of the types in *also*, such
    as compiled patterns); anything else is skipped with a warning."""
    kinds = (str, *also)
    if isinstance(value, kinds):
        return (value,)
    if not isinstance(value, Iterable):
        warn_malformed(label, value, "a name or a list of names", ())
        return ()
    names = []
    for entry in value:
        if isinstance(entry, kinds):
            names.append(entry)
        else:
            warn_skipped(label, entry, "a name")
    return tuple(names)


def _processors(value: object) -> list[Any] | None:
    """*value* as a list of processors (each one checked by the pipeline), or ``None``."""
    if value is None:
        return None
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)):
        warn_malformed("log_processors", value, "a list of processors", None, instead="none")
        return None
    return list(value)


def _warn_not_installed(feature: str, error: ImportError) -> None:
    warn_once(
        f"not-installed:{error.name}",
        f"{feature} stays off: {error.name or error} is not installed. "
        'Install it with: pip install "pynector[observability]"',
    )
