"""The export pipeline: from ``OTEL_*`` settings to a tracer provider's span processors.

Only :func:`~pynector.telemetry.configure_telemetry` and the ``doctor``
command load it; ``import pynector.telemetry`` never does.

* :mod:`.environment`: reading variables forgivingly (one warning, then the default);
* :mod:`.parsers`: one parser per kind of value, with its range, shared by
  arguments and variables;
* :mod:`.shown`: values in warnings shortened, credentials masked;
* :mod:`.settings`: every setting resolved argument > environment > default,
  with its source; :mod:`.log_settings`: the same for log export;
* :mod:`.endpoints`: endpoint URLs validated, completed and masked;
* :mod:`.resource`, :mod:`.sampling`, :mod:`.propagators`: what the
  provider is built with;
* :mod:`.span_processors`: exporter names to span processors;
* :mod:`.own_exporters`: the application's own OpenTelemetry exporters and
  processors among the exporter choices; :mod:`.own_log_processors`: those
  of the log export, carried over when it is replaced;
* :mod:`.otlp_exporters`: OpenTelemetry's OTLP exporters of either signal,
  from the resolved settings;
* :mod:`.delivery`: the batching processor that accounts for every span;
  :mod:`.log_delivery`: log records through it;
* :mod:`.log_processors`, :mod:`.logger_provider`: exporter names to log
  record processors, and the logger provider that holds them;
* :mod:`.span_redaction`: redaction applied to spans as they end;
* :mod:`.console`: the console exporters' formats (a trace tree, one line per span);
* :mod:`.console_view`: the ``console`` exporter, drawing each trace once complete.

Its modules may import the hot-path modules, the public option and
redaction modules (:mod:`~pynector.telemetry.exporters`,
:mod:`~pynector.telemetry.redaction`) and OpenTelemetry's SDK and
exporters, the optional ones inside functions so that a missing package
costs a warning, not an ImportError.  They never import the logging
pipeline or the command line.
"""
