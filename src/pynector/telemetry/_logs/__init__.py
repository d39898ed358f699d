"""The logging pipeline: where library, structlog and stdlib log events go.

Loaded on a facade's first log call that may be written, or by
:func:`~pynector.telemetry.configure_telemetry`, never by
``import pynector.telemetry``.

* :mod:`.routing`: a facade's event to structlog (when configured) or to
  the standard library logger of its name;
* :mod:`.structlog_pipeline`: the structlog configuration that
  ``configure_telemetry`` installs;
* :mod:`.correlation`: trace ids on every standard library ``LogRecord``;
* :mod:`.otel_warnings`: OpenTelemetry's per-call warnings cut to one line;
* :mod:`.console_logs`: log lines made in a span handed to the console tree;
* :mod:`.export_handler`: every record as an OpenTelemetry log record, for
  the log exporters (loaded only when one is configured).

Its modules may import the hot-path modules, the public helper modules
(:mod:`~pynector.telemetry.processors`, :mod:`~pynector.telemetry.redaction`),
:mod:`logging` and, inside functions, structlog.  Of the export pipeline they
use only :mod:`pynector.telemetry._export.environment` (reading variables);
the log export handler is handed its logger provider; they never import
the command line.
"""
