"""Turn resolved export settings into span processors, one per exporter.

Each exporter's package is optional.  A missing one costs one warning that
says which extra to install, and the other exporters still work.  Network
exporters are driven by a
:class:`~pynector.telemetry._export.span_delivery.DeliveringSpanProcessor`,
given a factory that builds a fresh exporter in each process (see
:mod:`.delivery`); the console exporters write synchronously: ``console``
draws each trace as a tree (:mod:`.console_view`), ``console-lines`` one
line per span (:mod:`.console`).  The application's own ``SpanExporter``
runs behind a delivering processor too, and its own ``SpanProcessor`` is
added as given, behind redaction, its failures kept from the application
(see :mod:`.own_exporters` and :mod:`.guarded_span_processor`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .console import LazyStream, format_console_span
from .endpoints import mask_url
from .named_exporters import Factories, build_named
from .own_exporters import OWN_FORK_WAIT, own_destination, role_of, same_in_every_process
from .parsers import own_choices
from .settings import ExportSettings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor

    from .span_delivery import EncodingProblem

__all__ = ["build_span_processors"]


def _console(settings: ExportSettings) -> SpanProcessor:
    from .console_view import ConsoleTreeProcessor

    return ConsoleTreeProcessor(
        settings.console_stream.value,
        colors=settings.console_colors.value,
        pending_after=settings.console_pending_after.value,
    )


def _console_lines(settings: ExportSettings) -> SpanProcessor:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    stream: Any = LazyStream(settings.console_stream.value)
    return SimpleSpanProcessor(ConsoleSpanExporter(out=stream, formatter=format_console_span))


def _delivering(
    settings: ExportSettings,
    new_exporter: Callable[[], Any],
    destination: str,
    *,
    fork_wait: float,
    encoding_problem: EncodingProblem | None = None,
) -> SpanProcessor:
    """A delivering processor; a fork waits up to *fork_wait* s for an export in flight."""
    from .delivery import BatchOptions
    from .span_delivery import DeliveringSpanProcessor

    options = BatchOptions(
        max_queue_size=settings.bsp_max_queue_size.value,
        max_batch_size=settings.bsp_max_export_batch_size.value,
        schedule_delay=settings.bsp_schedule_delay.value,
        export_timeout=settings.bsp_export_timeout.value,
        fork_wait=fork_wait,
    )
    return DeliveringSpanProcessor(
        new_exporter,
        destination,
        options,
        value_length_limit=settings.attribute_value_length_limit.value,
        encoding_problem=encoding_problem,
    )


def _otlp(settings: ExportSettings) -> SpanProcessor:
    from .otlp_exporters import otlp_destination, otlp_exporter_factory
    from .span_delivery import otlp_encoding_problem

    return _delivering(
        settings,
        otlp_exporter_factory(settings, "traces"),
        otlp_destination(settings),
        encoding_problem=otlp_encoding_problem,
        fork_wait=settings.otlp_timeout.value,
    )


def _zipkin(settings: ExportSettings) -> SpanProcessor:
    from opentelemetry.exporter.zipkin.json import ZipkinExporter

    endpoint = settings.zipkin_endpoint.value
    timeout = max(1, round(settings.zipkin_timeout.value))
    return _delivering(
        settings,
        lambda: ZipkinExporter(endpoint=endpoint, timeout=timeout),
        f"Zipkin {mask_url(endpoint)}",
        fork_wait=timeout,
    )


#: exporter name -> (factory, the extra that installs its package)
_FACTORIES: Factories[ExportSettings, SpanProcessor] = {
    "console": (_console, "observability"),
    "console-lines": (_console_lines, "observability"),
    "otlp": (_otlp, "otlp"),
    "zipkin": (_zipkin, "zipkin"),
}


def _own(settings: ExportSettings, choice: Any) -> SpanProcessor:
    """The application's exporter behind a delivering processor, or its
    processor as given, behind redaction (the process's redactor, at each
    span's end: none after ``configure_telemetry(redact=False)``)."""
    if role_of(type(choice)) == ("traces", 1):
        from .guarded_span_processor import GuardedSpanProcessor
        from .span_redaction import RedactingSpanProcessor

        return RedactingSpanProcessor(GuardedSpanProcessor(choice))
    return _delivering(
        settings,
        same_in_every_process(choice),
        own_destination(choice),
        fork_wait=OWN_FORK_WAIT,
    )


def build_span_processors(
    settings: ExportSettings, exporters: object = None
) -> list[tuple[str, SpanProcessor]]:
    """One span processor per configured exporter, in order, then one per
    exporter or processor of the application's own among *exporters* (the
    ``trace_exporters`` argument), named by its class.

    Unknown names and missing packages produce one warning each and are
    skipped; the rest still work.
    """
    processors = build_named(
        settings.exporters.value,
        _FACTORIES,
        settings,
        kind="trace",
        carries_on="Tracing continues",
        warning_key="exporter-missing",
    )
    for choice in own_choices(exporters, "traces"):
        processors.append((type(choice).__name__, _own(settings, choice)))
    return processors
