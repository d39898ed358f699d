"""The effective log export configuration, and where each value came from.

Resolved like the trace settings in :mod:`.settings`, with the same
helpers and parsers (and so the same range checks): an argument to
:func:`~pynector.telemetry.configure_telemetry` beats the ``OTEL_*``
variable, which beats the default, and a bad value costs one
:class:`~pynector.telemetry.TelemetryWarning` and falls back to the next
source.  The OTLP options read the logs-specific variable first
(``OTEL_EXPORTER_OTLP_LOGS_ENDPOINT``, used as given), then the generic
one (``OTEL_EXPORTER_OTLP_ENDPOINT``, a base URL to which ``/v1/logs`` is
appended for HTTP).  Batching follows the specification's ``OTEL_BLRP_*``
variables; attribute values are cut to
``OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`` (else
``OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT``, else 4,096 characters, as for spans)
so that one record cannot make a request too large to send.

Two defaults differ from the specification on purpose.  With
``OTEL_LOGS_EXPORTER`` unset no log record leaves the process (the
specification says ``otlp``): log lines carry more data than spans (request
bodies, user names, whatever a library chose to log), so shipping them off
the machine is the application's explicit choice.  And, as for spans, the
export queue holds 32,768 records (not 2,048), so that a burst is not
dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..exporters import OTLP, Console, LogExporterChoice
from .parsers import log_exporter_list
from .settings import (
    DEFAULT_VALUE_LENGTH_LIMIT,
    Setting,
    SettingsItems,
    _length_limit,
    _options,
    _resolve,
    resolve_batching,
    resolve_console_stream,
    resolve_otlp,
)

__all__ = ["LOG_VARIABLES", "LogSettings", "resolve_log_settings"]

#: Every variable :func:`resolve_log_settings` reads (besides the generic
#: OTLP ones of :data:`~.settings.VARIABLES`).  OpenTelemetry's SDK is handed
#: the resolved values explicitly and must not parse these again.
LOG_VARIABLES = (
    "OTEL_LOGS_EXPORTER",
    *(
        f"OTEL_EXPORTER_OTLP_LOGS_{suffix}"
        for suffix in ("PROTOCOL", "ENDPOINT", "HEADERS", "TIMEOUT", "COMPRESSION", "INSECURE")
    ),
    "OTEL_BLRP_SCHEDULE_DELAY",
    "OTEL_BLRP_MAX_QUEUE_SIZE",
    "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
    "OTEL_BLRP_EXPORT_TIMEOUT",
    "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT",
)


@dataclass(frozen=True)
class LogSettings(SettingsItems):
    """Everything that decides where log records go and how they are batched."""

    exporters: Setting[tuple[str, ...]]
    otlp_protocol: Setting[str]
    otlp_endpoint: Setting[str]
    otlp_headers: Setting[dict[str, str]]
    otlp_timeout: Setting[float]
    otlp_compression: Setting[str]
    otlp_insecure: Setting[bool]
    blrp_schedule_delay: Setting[float]
    blrp_max_queue_size: Setting[int]
    blrp_max_export_batch_size: Setting[int]
    blrp_export_timeout: Setting[float]
    console_stream: Setting[str]
    attribute_value_length_limit: Setting[int]


def resolve_log_settings(
    *, exporters: Sequence[LogExporterChoice] | LogExporterChoice | None = None
) -> LogSettings:
    """Resolve every log export setting from arguments, the environment and defaults.

    Options of an :class:`~pynector.telemetry.exporters.OTLP` or
    :class:`~pynector.telemetry.exporters.Console` in *exporters* count as
    arguments.  Never raises, whatever the arguments are.
    """
    return LogSettings(
        exporters=_resolve(
            exporters, ["OTEL_LOGS_EXPORTER"], log_exporter_list, (), label="log_exporters"
        ),
        **resolve_otlp(_options(exporters, OTLP), "logs"),
        **resolve_batching("BLRP", schedule_delay=1.0),
        console_stream=resolve_console_stream(_options(exporters, Console)),
        attribute_value_length_limit=_resolve(
            None,
            ["OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"],
            _length_limit,
            DEFAULT_VALUE_LENGTH_LIMIT,
        ),
    )
