"""Application-side set-up: turn telemetry on for the whole process.

Only an *application* calls :func:`configure_telemetry`; libraries never do.
It installs an OpenTelemetry tracer provider with the chosen exporters and
a structlog pipeline that stamps log lines with the current trace, and it
never replaces what the application already set up itself.

>>> configure_telemetry(service_name="checkout", trace_exporters=["console"])
True

Arguments beat ``OTEL_*`` environment variables, which beat defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._dependencies import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from ._environment import get_env_bool, get_env_dict, get_env_str
from ._exporters import build_span_processors
from ._log_correlation import install_record_factory
from ._log_pipeline import configure_structlog as _configure_structlog
from ._optional import OptionalNames
from ._propagation_setup import configure_propagators
from ._settings import ExportSettings, Setting, resolve_settings
from ._warnings import warn_once
from .exporters import ExporterChoice
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


def _resource_attributes(
    service_name: Setting[str], resource_attributes: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``OTEL_RESOURCE_ATTRIBUTES``, then the argument, then the service name on top.

    The service name is the argument, else ``OTEL_SERVICE_NAME``, else a
    ``service.name`` given in the attributes, else ``unknown_service``.
    """
    attributes: dict[str, Any] = get_env_dict("OTEL_RESOURCE_ATTRIBUTES")
    attributes.update(resource_attributes or {})
    if service_name.source != "default" or "service.name" not in attributes:
        attributes["service.name"] = service_name.value
    return attributes


def _configure_exporters(
    tracer_provider: Any, exporters: Sequence[ExporterChoice] | None
) -> list[str]:
    """Add one span processor per exporter to *tracer_provider*; return their names.

    *exporters* ``None`` means ``OTEL_TRACES_EXPORTER``, whose default is
    ``otlp`` as in the OpenTelemetry specification.
    """
    redactor = active_redactor()
    configured = []
    for name, processor in build_span_processors(resolve_settings(exporters=exporters)):
        if redactor is not None:
            from ._span_redaction import RedactingSpanProcessor

            processor = RedactingSpanProcessor(processor, redactor)
        tracer_provider.add_span_processor(processor)
        configured.append(name)
    return configured


def _sampler(settings: ExportSettings) -> Any:
    """The sampler to pass to the provider, or ``None`` to keep the SDK's default.

    Built here (not left to the SDK) whenever ``OTEL_TRACES_SAMPLER`` is set
    or a sampler is given, so a malformed value is our one warning, not the
    SDK's.
    """
    name = settings.sampler.value
    if name is None and get_env_str("OTEL_TRACES_SAMPLER") is None:
        return None
    from opentelemetry.sdk.trace import sampling

    ratio = settings.sampler_arg.value
    factories: dict[str, Callable[[], Any]] = {
        "always_on": lambda: sampling.ALWAYS_ON,
        "always_off": lambda: sampling.ALWAYS_OFF,
        "traceidratio": lambda: sampling.TraceIdRatioBased(ratio),
        "parentbased_always_on": lambda: sampling.ParentBased(sampling.ALWAYS_ON),
        "parentbased_always_off": lambda: sampling.ParentBased(sampling.ALWAYS_OFF),
        "parentbased_traceidratio": lambda: sampling.ParentBasedTraceIdRatio(ratio),
    }
    return factories[name or "parentbased_always_on"]()


def _quiet_attribute_warnings() -> None:
    """Let OpenTelemetry's invalid-attribute warning through once, not per call."""
    import logging

    from ._log_filters import OncePerMessage

    logger = logging.getLogger("opentelemetry.attributes")
    if not any(isinstance(existing, OncePerMessage) for existing in logger.filters):
        logger.addFilter(OncePerMessage())


def _configure_tracing(
    settings: ExportSettings,
    resource_attributes: Mapping[str, Any] | None,
    trace_exporters: Sequence[ExporterChoice] | None,
) -> bool:
    _optional.load()
    current = trace.get_tracer_provider()
    if not isinstance(current, trace.ProxyTracerProvider):
        warn_once(
            "provider-exists",
            f"A tracer provider is already set ({type(current).__name__}); "
            "configure_telemetry keeps it and adds no exporters. Spans go wherever "
            "that provider sends them.",
        )
        return True
    resource = Resource.create(_resource_attributes(settings.service_name, resource_attributes))
    sampler = _sampler(settings)
    if sampler is None:
        tracer_provider = TracerProvider(resource=resource)
    else:
        tracer_provider = TracerProvider(resource=resource, sampler=sampler)
    _configure_exporters(tracer_provider, trace_exporters)
    trace.set_tracer_provider(tracer_provider)
    configure_propagators(settings.propagators)
    install_record_factory()
    _quiet_attribute_warnings()
    return True


def configure_telemetry(
    service_name: str | None = None,
    resource_attributes: Mapping[str, Any] | None = None,
    trace_enabled: bool = True,
    trace_exporters: Sequence[ExporterChoice] | None = None,
    log_level: str = "INFO",
    log_processors: Sequence[Any] | None = None,
    *,
    sampler: str | None = None,
    sampler_arg: float | None = None,
    propagators: Sequence[str] | None = None,
    redact: bool = True,
    redact_keys: Sequence[str] = (),
) -> bool:
    """Turn on tracing and structured logging for this process.

    Args:
        service_name: ``service.name`` of the resource; default
            ``OTEL_SERVICE_NAME``, else ``unknown_service``.
        resource_attributes: extra resource attributes, on top of
            ``OTEL_RESOURCE_ATTRIBUTES``.
        trace_enabled: ``False`` leaves tracing off (so does
            ``OTEL_SDK_DISABLED=true``).
        trace_exporters: names among ``otlp``, ``console``, ``zipkin``,
            ``none``, or :class:`~pynector.telemetry.exporters.OTLP` /
            :class:`~pynector.telemetry.exporters.Zipkin` objects with
            explicit options; default ``OTEL_TRACES_EXPORTER``, else ``otlp``.
        log_level: the lowest level structlog writes.
        log_processors: structlog processors run before rendering.
        sampler: an ``OTEL_TRACES_SAMPLER`` name, e.g. ``"parentbased_traceidratio"``.
        sampler_arg: the ratio for ratio samplers (0 to 1).
        propagators: ``OTEL_PROPAGATORS`` names, e.g. ``["tracecontext", "baggage"]``.
        redact: replace the values of sensitive-looking span attributes,
            event attributes and log fields by ``[REDACTED]`` (see
            :mod:`pynector.telemetry.redaction`).
        redact_keys: more keys to treat as sensitive, on top of the defaults.

    Returns:
        Whether tracing is active: ``True`` once a tracer provider is in
        place (this call's, or one the application had already set).

    A tracer provider or structlog configuration the application already
    set is kept, with one warning.  Problems (a missing package, a bad
    value) are warnings, never exceptions.
    """
    tracing = False
    if not (HAS_OPENTELEMETRY or HAS_STRUCTLOG):
        warn_once(
            "nothing-installed",
            "configure_telemetry found neither OpenTelemetry nor structlog; telemetry "
            'stays off. Install them with: pip install "pynector[observability]"',
        )
        return False
    set_active_redactor(Redactor(extra_keys=redact_keys) if redact else None)
    if HAS_OPENTELEMETRY and trace_enabled and not get_env_bool("OTEL_SDK_DISABLED"):
        try:
            settings = resolve_settings(
                service_name=service_name,
                sampler=sampler,
                sampler_arg=sampler_arg,
                propagators=propagators,
            )
            tracing = _configure_tracing(settings, resource_attributes, trace_exporters)
        except ImportError as error:
            _warn_not_installed("Tracing", error)
    if HAS_STRUCTLOG:
        try:
            _configure_structlog(log_level, log_processors)
        except ImportError as error:
            _warn_not_installed("Structured logging", error)
    return tracing


def _warn_not_installed(feature: str, error: ImportError) -> None:
    warn_once(
        f"not-installed:{error.name}",
        f"{feature} stays off: {error.name or error} is not installed. "
        'Install it with: pip install "pynector[observability]"',
    )
