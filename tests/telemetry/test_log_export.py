"""Every log record, whoever made it, becomes one OpenTelemetry log record.

In-process, with the real pipeline ``configure_telemetry`` installs: its
log export handler on the root logger and its logger provider, to which
each test adds an in-memory exporter to read the records back.  Delivery
to a real collector is in ``test_log_delivery.py``.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import queue
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry
from pynector.telemetry._dependencies import is_importable
from support.hostile import Unprintable
from support.logs import without_root_handlers

if TYPE_CHECKING or is_importable("opentelemetry.sdk._logs"):  # not in every configuration
    from opentelemetry import _logs, trace
    from opentelemetry import context as otel_context
    from opentelemetry.sdk._logs import (
        LoggerProvider,
        LogRecordProcessor,
        ReadableLogRecord,
        ReadWriteLogRecord,
    )
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

    from pynector.telemetry._logs.export_handler import LogExportHandler, severity

pytestmark = pytest.mark.requires_otel

tracer, log = get_telemetry("somelib")


def export_handlers() -> list[LogExportHandler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, LogExportHandler)]


Configure = Callable[..., "InMemoryLogRecordExporter"]


@pytest.fixture
def configure() -> Configure:
    """``configure_telemetry`` with the console log exporter, plus an in-memory one."""

    def configure_with_memory(**arguments: Any) -> InMemoryLogRecordExporter:
        arguments = {"service_name": "svc", "log_exporters": ["console"], **arguments}
        configure_telemetry(**arguments)
        (handler,) = export_handlers()
        exporter = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
        handler.provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
        return exporter

    return configure_with_memory


def ids(span: Any) -> tuple[int, int]:
    context = span.get_span_context()
    return context.trace_id, context.span_id


def summary(record: ReadableLogRecord) -> dict[str, Any]:
    log_record = record.log_record
    scope = record.instrumentation_scope
    return {
        "scope": scope.name if scope is not None else None,
        "body": log_record.body,
        "severity": (
            log_record.severity_number and log_record.severity_number.value,
            log_record.severity_text,
        ),
        "attributes": dict(log_record.attributes or {}),
    }


@pytest.mark.parametrize(
    ("level", "name"),
    [
        (logging.DEBUG, "DEBUG"),
        (logging.INFO, "INFO"),
        (25, "INFO4"),
        (logging.WARNING, "WARN"),
        (logging.ERROR, "ERROR"),
        (logging.CRITICAL, "FATAL"),
        (55, "FATAL4"),
        (5, "TRACE"),
        (0, "UNSPECIFIED"),
    ],
)
def test_severity_of_each_level(level: int, name: str) -> None:
    assert severity(level).name == name


@pytest.mark.requires_structlog
def test_facade_structlog_and_stdlib_records_alike(configure: Configure) -> None:
    import structlog

    exporter = configure()
    with tracer.start_as_current_span("request") as span:
        log.info("library event", password="p1", rows=3)
        structlog.get_logger("app").warning("structlog event", api_key="p2", user="ann")
        logging.getLogger("httpx").error("stdlib record %s", "GET", extra={"status": 500})
        log.debug("below the level")
    records = exporter.get_finished_logs()
    assert [summary(record) for record in records] == [
        {
            "scope": "somelib",
            "body": "library event",
            "severity": (9, "INFO"),
            "attributes": {"password": "[REDACTED]", "rows": 3},
        },
        {
            "scope": "app",
            "body": "structlog event",
            "severity": (13, "WARN"),
            "attributes": {"api_key": "[REDACTED]", "user": "ann"},
        },
        {
            "scope": "httpx",
            "body": "stdlib record GET",
            "severity": (17, "ERROR"),
            "attributes": {"status": 500},
        },
    ]
    for record in records:
        log_record = record.log_record
        assert (log_record.trace_id, log_record.span_id) == ids(span)
        assert log_record.trace_flags == trace.TraceFlags.SAMPLED
        assert record.resource.attributes["service.name"] == "svc"


def test_outside_a_span_a_record_has_no_ids(configure: Configure) -> None:
    exporter = configure()
    logging.getLogger("app").warning("alone")
    (record,) = exporter.get_finished_logs()
    assert (record.log_record.trace_id, record.log_record.span_id) == (0, 0)
    assert record.log_record.trace_flags == trace.TraceFlags.DEFAULT


def test_ids_are_those_current_when_the_record_was_made(configure: Configure) -> None:
    # An application whose handlers run in a listener thread, after the fact.
    exporter = configure()
    root = logging.getLogger()
    (handler,) = export_handlers()
    root.removeHandler(handler)
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    root.addHandler(logging.handlers.QueueHandler(records))
    with tracer.start_as_current_span("first") as first:
        logging.getLogger("app").warning("in first")
    with tracer.start_as_current_span("second") as second:
        logging.getLogger("app").warning("in second")
    listener = logging.handlers.QueueListener(records, handler)
    listener.start()  # both spans have ended; the records are handled now, in another thread
    listener.stop()
    exported = [
        (r.log_record.body, r.log_record.trace_id, r.log_record.span_id)
        for r in exporter.get_finished_logs()
    ]
    assert exported == [("in first", *ids(first)), ("in second", *ids(second))]


@pytest.mark.parametrize("kind", ["facade", "stdlib"])
def test_exception_becomes_its_three_attributes(configure: Configure, kind: str) -> None:
    exporter = configure()
    known: dict[str, int] = {}
    try:
        known["missing"]
    except KeyError:
        if kind == "facade":
            log.exception("lookup failed", key="missing")
        else:
            logging.getLogger("app").exception("lookup failed")
    (record,) = exporter.get_finished_logs()
    attributes = dict(record.log_record.attributes or {})
    assert record.log_record.body == "lookup failed"
    assert attributes["exception.type"] == "KeyError"
    assert attributes["exception.message"] == "'missing'"
    stacktrace = attributes["exception.stacktrace"]
    assert isinstance(stacktrace, str)
    assert stacktrace.startswith("Traceback (most recent call last):")
    assert "test_exception_becomes_its_three_attributes" in stacktrace
    assert stacktrace.endswith("KeyError: 'missing'\n")


def fail_deep(depth: int) -> None:
    if depth == 0:
        raise LookupError("the innermost cause")
    if depth % 2:  # two lines in turn, so that the traceback shows every frame
        fail_deep(depth - 1)
    else:
        fail_deep(depth - 1)


def test_a_long_stack_trace_keeps_its_end(configure: Configure) -> None:
    # 4,096 characters cannot hold 100 frames: what matters is the end, the
    # innermost frames and the exception itself.
    exporter = configure()
    try:
        fail_deep(100)
    except LookupError:
        log.exception("deep failure")
    (record,) = exporter.get_finished_logs()
    stacktrace = str(dict(record.log_record.attributes or {})["exception.stacktrace"])
    assert len(stacktrace) == 4096
    assert stacktrace.startswith("…")
    assert stacktrace.endswith("LookupError: the innermost cause\n")


HOSTILE_FIELDS: dict[str, Any] = {
    "none": None,
    "mapping": {"id": 7, "password": "hidden"},
    "mixed": [1, "a", None],
    "numbers": (1, 2.5),
    "raw": b"\xffok",
    "huge": 2**70,
    "surrogate": "bad \udcff text",
    "unprintable": Unprintable(),
}
EXPECTED_ATTRIBUTES = {
    "mapping": '{"id": 7, "password": "[REDACTED]"}',
    "mixed": ("1", "a", None),
    "numbers": (1.0, 2.5),
    "raw": "\ufffdok",
    "huge": "1180591620717411303424",
    "surrogate": "bad \ufffd text",
    "unprintable": "<unprintable Unprintable>",
}


@pytest.mark.parametrize("kind", ["facade", "stdlib"])
def test_fields_become_otlp_values_that_encode(configure: Configure, kind: str) -> None:
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs

    exporter = configure()
    if kind == "facade":
        log.warning("odd fields", **HOSTILE_FIELDS)
    else:
        logging.getLogger("app").warning("odd fields", extra=HOSTILE_FIELDS)
    (record,) = exporter.get_finished_logs()
    assert dict(record.log_record.attributes or {}) == EXPECTED_ATTRIBUTES
    assert encode_logs([record]).SerializeToString()  # one bad value would fail the batch


def test_a_message_whose_arguments_do_not_fit_is_exported_as_written(
    configure: Configure,
) -> None:
    # Our stderr handler writes them as written (pytest's own handlers
    # would raise: they are set aside); the export must not skip them.
    app = logging.getLogger("app")
    with without_root_handlers(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exporter = configure()
        app.warning("%s and %s", 1)
        app.warning("%d items", "many")
        app.warning("%(user)s", {"name": "ann"})
    bodies = [record.log_record.body for record in exporter.get_finished_logs()]
    assert bodies == ["%s and %s", "%d items", "%(user)s"]


def test_a_stdlib_record_whose_message_is_a_dict_is_exported_as_its_text(
    configure: Configure,
) -> None:
    # Only structlog's records carry its logger; a dict logged through the
    # standard library is a message, as the stderr line shows it.
    exporter = configure()
    logging.getLogger("app").warning({"order": 7, "token": "t0k3n-abcdef"})
    (record,) = exporter.get_finished_logs()
    assert record.log_record.body == "{'order': 7, 'token': '[REDACTED]'}"
    assert "order" not in dict(record.log_record.attributes or {})


def test_a_stdlib_record_s_stack_is_exported_like_an_event_s(configure: Configure) -> None:
    exporter = configure()
    logging.getLogger("app").warning("where am I (password=p1)", stack_info=True)
    log.warning("and I", stack_info=True)
    stacks = [
        str(dict(record.log_record.attributes or {})["stack"])
        for record in exporter.get_finished_logs()
    ]
    assert len(stacks) == 2
    for stack in stacks:  # pytest's frames are many: the innermost are kept
        assert len(stack) <= 4096
        assert "test_a_stdlib_record_s_stack_is_exported_like_an_event_s" in stack
    assert "password=[REDACTED]" in stacks[0]


def test_attribute_values_are_cut_to_the_length_limit(
    configure: Configure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "100")
    monkeypatch.setenv("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5")
    exporter = configure()
    log.warning("a body that is longer than five", text="abcdefgh", words=["abcdefgh", "ab"])
    (record,) = exporter.get_finished_logs()
    assert record.log_record.body == "a body that is longer than five"
    assert dict(record.log_record.attributes or {}) == {"text": "abcde", "words": ("abcde", "ab")}


def test_records_about_telemetry_itself_are_not_exported(configure: Configure) -> None:
    exporter = configure()
    logging.getLogger("pynector.telemetry.export").warning("3 of 9 spans were not delivered")
    logging.getLogger("opentelemetry.exporter.otlp.proto.http._log_exporter").error("retrying")
    logging.getLogger("opentelemetry").error("anything")
    token = otel_context.attach(
        otel_context.set_value(otel_context._SUPPRESS_INSTRUMENTATION_KEY, True)
    )
    try:
        logging.getLogger("urllib3.connectionpool").warning("made by an export")
    finally:
        otel_context.detach(token)
    logging.getLogger("pynector.telemetry.exporters").warning("not the export logger")
    logging.getLogger("opentelemetry_app").warning("not OpenTelemetry's either")
    bodies = [record.log_record.body for record in exporter.get_finished_logs()]
    assert bodies == ["not the export logger", "not OpenTelemetry's either"]


def test_a_record_logged_while_one_is_exported_is_not_exported(configure: Configure) -> None:
    class LoggingProcessor(LogRecordProcessor):
        """A processor that logs about each record it sees, as a careless one might."""

        def on_emit(self, log_record: ReadWriteLogRecord) -> None:
            logging.getLogger("careless").warning("saw %s", log_record.log_record.body)

        def shutdown(self) -> None:
            pass

        def force_flush(self, timeout_millis: int = 30_000) -> bool:
            return True

    exporter = configure()
    (handler,) = export_handlers()
    handler.provider.add_log_record_processor(LoggingProcessor())
    logging.getLogger("app").warning("first")
    logging.getLogger("app").warning("second")
    bodies = [record.log_record.body for record in exporter.get_finished_logs()]
    assert bodies == ["first", "second"]


def test_the_configured_level_applies(
    configure: Configure, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = configure(log_level="WARNING")
    chatty = logging.getLogger("chatty")
    chatty.setLevel(logging.DEBUG)  # its records reach the handlers, below the level too
    with caplog.at_level(logging.DEBUG, logger="chatty"):
        chatty.debug("debug")
        chatty.info("info")
        chatty.warning("warning")
    assert [r.getMessage() for r in caplog.records] == ["debug", "info", "warning"]
    assert [r.log_record.body for r in exporter.get_finished_logs()] == ["warning"]


@pytest.mark.parametrize(
    ("level", "exported"),
    [
        (15, ["custom 15", "info", "custom 55"]),  # a level of the application's own
        ("debug", ["debug", "custom 15", "info", "custom 55"]),
        (logging.WARNING, ["custom 55"]),
        (60, []),
    ],
)
def test_the_level_may_be_any_number_or_name(
    configure: Configure, level: int | str, exported: list[str]
) -> None:
    exporter = configure(log_level=level)
    app = logging.getLogger("app")
    log.debug("debug")
    app.log(15, "custom 15")
    log.info("info")
    app.log(55, "custom 55")
    assert [r.log_record.body for r in exporter.get_finished_logs()] == exported


def test_a_negative_level_is_one_warning_then_info(configure: Configure) -> None:
    with pytest.warns(TelemetryWarning, match=r"log_level=-5"):
        exporter = configure(log_level=-5)
    log.debug("debug")
    log.info("info")
    assert [r.log_record.body for r in exporter.get_finished_logs()] == ["info"]


def test_nothing_is_exported_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    configure_telemetry(trace_enabled=False)
    assert export_handlers() == []
    monkeypatch.setenv("OTEL_LOGS_EXPORTER", "console")
    configure_telemetry(trace_enabled=False)
    assert len(export_handlers()) == 1
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    configure_telemetry(trace_enabled=False)
    assert export_handlers() == []


def test_configuring_again_replaces_the_export(configure: Configure) -> None:
    first = configure(trace_enabled=False)
    second = configure(trace_enabled=False)
    logging.getLogger("app").warning("after")
    assert len(export_handlers()) == 1
    assert first.get_finished_logs() == ()
    assert [r.log_record.body for r in second.get_finished_logs()] == ["after"]


def test_an_application_logger_provider_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry._logs import _internal

    own = LoggerProvider(shutdown_on_exit=False)
    monkeypatch.setattr(_internal, "_LOGGER_PROVIDER", own)
    assert _logs.get_logger_provider() is own
    with pytest.warns(TelemetryWarning, match=r"logger provider is already set \(LoggerProvider\)"):
        configure_telemetry(log_exporters=["console"])
    assert export_handlers() == []


OPENTELEMETRY_HANDLERS = [
    "opentelemetry.sdk._logs.LoggingHandler",
    "opentelemetry.instrumentation.logging.handler.LoggingHandler",
]


def configure_beside(handler_class: str, provider: LoggerProvider | None) -> list[str]:
    """configure_telemetry with OpenTelemetry's *handler_class* on the root
    logger, on *provider* (``None``: the global one); its warnings."""
    import importlib

    module, _, name = handler_class.rpartition(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's handler
        handler = getattr(importlib.import_module(module), name)(logger_provider=provider)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            configure_telemetry(log_exporters=["console"])
    finally:
        root.removeHandler(handler)
    return [str(w.message) for w in caught if w.category is TelemetryWarning]


@pytest.mark.parametrize("handler_class", OPENTELEMETRY_HANDLERS)
def test_an_opentelemetry_handler_on_the_root_logger_is_left_alone(handler_class: str) -> None:
    # The application exports log records itself through OpenTelemetry's
    # handler, without setting the global logger provider: exporting them
    # as well would send each twice.
    (message,) = configure_beside(handler_class, LoggerProvider(shutdown_on_exit=False))
    assert "already exports log records (LoggingHandler)" in message
    assert export_handlers() == []


@pytest.mark.parametrize("handler_class", OPENTELEMETRY_HANDLERS)
def test_an_opentelemetry_handler_with_no_provider_yet_exports_nothing(
    handler_class: str,
) -> None:
    assert configure_beside(handler_class, None) == []  # the global one: none is set
    assert len(export_handlers()) == 1


def test_the_resource_is_the_spans(configure: Configure) -> None:
    configure(resource_attributes={"region": "eu"})
    (handler,) = export_handlers()
    assert handler.provider.resource is trace.get_tracer_provider().resource  # type: ignore[attr-defined]


def test_the_resource_without_tracing(configure: Configure) -> None:
    configure(trace_enabled=False, resource_attributes={"region": "eu"})
    (handler,) = export_handlers()
    assert handler.provider.resource.attributes["service.name"] == "svc"
    assert handler.provider.resource.attributes["region"] == "eu"


def test_console_exporter_writes_one_json_line_per_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_telemetry(service_name="svc", log_exporters="console")
    with tracer.start_as_current_span("request") as span:
        logging.getLogger("app").warning("hello %s", "world", extra={"user": "ann"})
    (line,) = [line for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    record = json.loads(line)
    trace_id, span_id = ids(span)
    assert record["body"] == "hello world"
    assert (record["severity_number"], record["severity_text"]) == (13, "WARN")
    assert record["attributes"] == {"user": "ann"}
    assert (record["trace_id"], record["span_id"]) == (f"0x{trace_id:032x}", f"0x{span_id:016x}")
    assert record["resource"]["attributes"]["service.name"] == "svc"


def test_the_resource_without_tracing_has_the_environment_s_attributes_redacted(
    configure: Configure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "checkout")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "region=eu,deploy.password=Env-Pw-r01")
    configure(service_name=None, trace_enabled=False, resource_attributes={"api_key": "k-1"})
    (handler,) = export_handlers()
    attributes = dict(handler.provider.resource.attributes)
    assert attributes["service.name"] == "checkout"
    assert (attributes["region"], attributes["deploy.password"], attributes["api_key"]) == (
        "eu",
        "[REDACTED]",
        "[REDACTED]",
    )


@pytest.mark.parametrize("where", ["OTEL_EXPORTER_OTLP_LOGS_HEADERS", "log_exporters"])
def test_log_exporter_header_values_are_secrets_everywhere(
    configure: Configure, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    from pynector.telemetry.exporters import OTLP

    exporters: list[Any] = ["console"]
    if where == "log_exporters":
        exporters.append(OTLP(endpoint="http://127.0.0.1:9", headers={"x-tenant": "Tenant-77aa"}))
    else:
        monkeypatch.setenv(where, "x-tenant=Tenant-77aa")
    exporter = configure(trace_enabled=False, log_exporters=exporters)
    logging.getLogger("app").warning("tenant Tenant-77aa in use")
    (record,) = exporter.get_finished_logs()
    assert record.log_record.body == "tenant [REDACTED] in use"


@pytest.mark.requires_structlog
def test_without_pynector_s_structlog_pipeline(configure: Configure) -> None:
    # The application configured structlog itself: standard library records
    # are still exported, with their extra= fields, redacted.
    import structlog

    structlog.configure(processors=[structlog.processors.JSONRenderer()])
    with pytest.warns(TelemetryWarning, match="structlog is already configured"):
        exporter = configure()
    logging.getLogger("app").warning("plain %d", 1, extra={"token": "t", "n": 2})
    (record,) = exporter.get_finished_logs()
    assert record.log_record.body == "plain 1"
    assert dict(record.log_record.attributes or {}) == {"token": "[REDACTED]", "n": 2}


def explode(logger: object, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A processor with a bug, for records that carry ``explode``."""
    if "explode" in event_dict:
        raise RuntimeError("processor bug")
    return event_dict


@pytest.mark.requires_structlog
def test_a_record_that_cannot_be_converted_costs_one_warning(configure: Configure) -> None:
    exporter = configure(log_processors=[explode])
    app = logging.getLogger("app")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            app.warning("bad", extra={"explode": 1})
    assert [w.category for w in record] == [TelemetryWarning]
    assert "could not be exported (RuntimeError: processor bug)" in str(record[0].message)
    app.warning("fine")
    assert [r.log_record.body for r in exporter.get_finished_logs()] == ["fine"]


DSN = "postgres://admin:hunter2@db/app"


def log_a_secret(kind: str) -> None:
    try:
        raise ConnectionError(f"cannot reach {DSN}")
    except ConnectionError:
        if kind == "facade":
            log.exception(f"connecting to {DSN}", target=DSN, password="hunter2")
        else:
            logging.getLogger("app").exception(
                "connecting to %s", DSN, extra={"target": DSN, "password": "hunter2"}
            )


@pytest.mark.parametrize("kind", ["facade", "stdlib"])
def test_secrets_are_redacted_by_key_and_by_shape(configure: Configure, kind: str) -> None:
    exporter = configure()
    log_a_secret(kind)
    (record,) = exporter.get_finished_logs()
    attributes = dict(record.log_record.attributes or {})
    assert record.log_record.body == "connecting to postgres://admin:[REDACTED]@db/app"
    assert attributes["target"] == "postgres://admin:[REDACTED]@db/app"
    assert attributes["password"] == "[REDACTED]"
    assert attributes["exception.message"] == "cannot reach postgres://admin:[REDACTED]@db/app"
    assert "hunter2" not in json.dumps([record.log_record.body, attributes])


@pytest.mark.parametrize("kind", ["facade", "stdlib"])
def test_without_redaction_records_are_exported_as_made(configure: Configure, kind: str) -> None:
    exporter = configure(redact=False)
    log_a_secret(kind)
    (record,) = exporter.get_finished_logs()
    attributes = dict(record.log_record.attributes or {})
    assert record.log_record.body == f"connecting to {DSN}"
    assert (attributes["target"], attributes["password"]) == (DSN, "hunter2")
    assert "hunter2" in str(attributes["exception.stacktrace"])
