"""The logger provider behind the log export that ``configure_telemetry`` sets up.

Only when log export was asked for (``log_exporters=`` or
``OTEL_LOGS_EXPORTER``).  The provider carries the spans' resource and
holds one processor per exporter; the log export handler shuts it down at
exit, after every exit hook that may still log, which delivers what is
still queued.  With
``OTEL_PYTHON_SDK_INTERNAL_METRICS_ENABLED=true`` its delivering processors
publish OpenTelemetry's ``otel.sdk.processor.log.*`` self-metrics.

It is pynector's own, fed by the handler of
:mod:`pynector.telemetry._logs.export_handler`: OpenTelemetry's global
logger provider is left alone, and when the application exports log
records itself (it set a global logger provider, as
``opentelemetry-instrument`` does, or put OpenTelemetry's ``LoggingHandler``
on the root logger with a provider of its own), pynector keeps out of its
way, with one warning, rather than export every record twice.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from opentelemetry import _logs
from opentelemetry.sdk._logs import LoggerProvider

from .._warnings import warn_once
from .log_processors import build_log_processors
from .log_settings import LogSettings
from .own_log_processors import OwnLogProcessor

if TYPE_CHECKING:
    from opentelemetry.sdk.resources import Resource

__all__ = ["build_logger_provider"]

# What OpenTelemetry's API answers while no application set a logger provider.
_UNSET = ("ProxyLoggerProvider", "NoOpLoggerProvider")


def build_logger_provider(
    settings: LogSettings,
    resource: Callable[[], Resource],
    *,
    self_metrics: bool = False,
    exporters: object = None,
    earlier: object = None,
) -> LoggerProvider | None:
    """A provider with one processor per configured exporter (and per
    exporter or processor of the application's own among *exporters*), made
    with *resource*'s answer; ``None`` when there is nothing to export to.

    *earlier* is the provider of the log export this one replaces: the
    processors serving the application's instances given again move here
    (see :mod:`.own_log_processors`).

    With *self_metrics*, the processors publish their delivery statistics.
    """
    current = _logs.get_logger_provider()
    if type(current).__name__ not in _UNSET:
        warn_once(
            "logger-provider-exists",
            f"A logger provider is already set ({type(current).__name__}); "
            "configure_telemetry adds no log exporters, so that no record is exported "
            "twice. Log records go wherever the application's logging sends them.",
        )
        return None
    exporting = _exporting_handler()
    if exporting is not None:
        warn_once(
            "logging-handler-exists",
            f"An OpenTelemetry handler on the root logger already exports log records "
            f"({type(exporting).__name__}); configure_telemetry adds no log exporters, so "
            "that no record is exported twice.",
        )
        return None
    carried = _own_of.get(earlier, ()) if isinstance(earlier, LoggerProvider) else ()
    processors = build_log_processors(settings, exporters, carried)
    if not processors:
        return None
    provider = LoggerProvider(resource=resource(), shutdown_on_exit=False)
    own = []
    for _, processor in processors:
        if isinstance(processor, OwnLogProcessor):
            own.append(processor)
        if self_metrics:
            from .processor_metrics import observe_processor

            observe_processor(getattr(processor, "processor", processor), "log")
        provider.add_log_record_processor(processor)
    _own_of[provider] = own
    return provider


#: provider -> the processors serving the application's own instances in it
_own_of: weakref.WeakKeyDictionary[LoggerProvider, list[OwnLogProcessor]] = (
    weakref.WeakKeyDictionary()
)


def _exporting_handler() -> logging.Handler | None:
    """An OpenTelemetry ``LoggingHandler`` (the SDK's or the logging
    instrumentation's) on the root logger, with a provider that exports."""
    for handler in logging.getLogger().handlers:
        provider = getattr(handler, "_logger_provider", None)
        if (
            type(handler).__module__.startswith("opentelemetry.")
            and provider is not None
            and type(provider).__name__ not in _UNSET
        ):
            return handler
    return None
