"""Turn resolved log export settings into log record processors, one per exporter.

``otlp`` runs behind a :class:`~.log_delivery.DeliveringLogProcessor`, with
the delivery guarantees spans have; ``console`` writes each record as it is
emitted, one JSON object per line, as OpenTelemetry would export it (the
severity, body, attributes, trace and span ids and resource), to see what
the ``otlp`` exporter would send.  The application's own
``LogRecordExporter`` runs behind a delivering processor too, and its own
``LogRecordProcessor`` is added as given (see :mod:`.own_exporters`).  A
missing exporter package costs one warning that says which extra to
install, and the other exporters still work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .console import LazyStream
from .log_settings import LogSettings
from .named_exporters import Factories, build_named
from .own_exporters import OWN_FORK_WAIT, own_destination, role_of, same_in_every_process
from .parsers import own_choices

if TYPE_CHECKING:
    from opentelemetry.sdk._logs import LogRecordProcessor, ReadableLogRecord

    from .log_delivery import EncodingProblem

__all__ = ["build_log_processors"]


def _one_line(record: ReadableLogRecord) -> str:
    return record.to_json(indent=None) + "\n"


def _console(settings: LogSettings) -> LogRecordProcessor:
    from opentelemetry.sdk._logs.export import ConsoleLogRecordExporter, SimpleLogRecordProcessor

    stream: Any = LazyStream(settings.console_stream.value)
    return SimpleLogRecordProcessor(ConsoleLogRecordExporter(out=stream, formatter=_one_line))


def _delivering(
    settings: LogSettings,
    new_exporter: Callable[[], Any],
    destination: str,
    *,
    fork_wait: float,
    encoding_problem: EncodingProblem | None = None,
) -> LogRecordProcessor:
    """A delivering processor; a fork waits up to *fork_wait* s for an export in flight."""
    from .delivery import BatchOptions
    from .log_delivery import DeliveringLogProcessor

    options = BatchOptions(
        max_queue_size=settings.blrp_max_queue_size.value,
        max_batch_size=settings.blrp_max_export_batch_size.value,
        schedule_delay=settings.blrp_schedule_delay.value,
        export_timeout=settings.blrp_export_timeout.value,
        fork_wait=fork_wait,
    )
    return DeliveringLogProcessor(
        new_exporter, destination, options, encoding_problem=encoding_problem
    )


def _otlp(settings: LogSettings) -> LogRecordProcessor:
    from .log_delivery import otlp_log_encoding_problem
    from .otlp_exporters import otlp_destination, otlp_exporter_factory

    return _delivering(
        settings,
        otlp_exporter_factory(settings, "logs"),
        otlp_destination(settings),
        fork_wait=settings.otlp_timeout.value,
        encoding_problem=otlp_log_encoding_problem,
    )


def _own(settings: LogSettings, choice: Any) -> LogRecordProcessor:
    """The application's exporter behind a delivering processor, or its
    processor as given (records are redacted as they are made, before any
    processor sees them)."""
    if role_of(type(choice)) == ("logs", 1):
        return choice  # type: ignore[no-any-return]
    return _delivering(
        settings,
        same_in_every_process(choice),
        own_destination(choice),
        fork_wait=OWN_FORK_WAIT,
    )


#: exporter name -> (factory, the extra that installs its package)
_FACTORIES: Factories[LogSettings, LogRecordProcessor] = {
    "console": (_console, "observability"),
    "otlp": (_otlp, "otlp"),
}


def build_log_processors(
    settings: LogSettings, exporters: object = None, earlier: Sequence[Any] = ()
) -> list[tuple[str, LogRecordProcessor]]:
    """One log record processor per configured exporter, in order, then one
    per exporter or processor of the application's own among *exporters*
    (the ``log_exporters`` argument), named by its class: an
    :class:`~.own_log_processors.OwnLogProcessor`, carried over from
    *earlier* (those of the log export being replaced) when it served the
    same instance.

    A missing package produces one warning and its exporter is skipped;
    the rest still work.
    """
    processors = build_named(
        settings.exporters.value,
        _FACTORIES,
        settings,
        kind="log",
        carries_on="Logging continues",
        warning_key="log-exporter-missing",
    )
    if not own_choices(exporters, "logs"):
        return processors
    from .own_log_processors import OwnLogProcessor, carried_over

    for choice in own_choices(exporters, "logs"):
        own = carried_over(choice, earlier) or OwnLogProcessor(choice, _own(settings, choice))
        processors.append((type(choice).__name__, own))
    return processors
