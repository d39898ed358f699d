"""Secrets never leave the process: the redactor, and every channel it guards.

The corpora (``tests/data``) are sent through a whole application in
``test_secret_corpus.py``; these tests pin down the rules and each channel.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from pynector.telemetry import TelemetryWarning, configure_telemetry, get_telemetry, traced
from pynector.telemetry.redaction import (
    REDACTED,
    Redactor,
    active_redactor,
    redact_text,
    set_active_redactor,
)
from support.processes import run_python
from support.records import field

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

tracer, log = get_telemetry("tests.redaction")


# -- keys -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [
        "password", "user_password", "PASSWD", "pwd", "passphrase", "db_pass", "mysql_pwd",
        "secret", "client_secret", "accessToken", "ACCESS-TOKEN", "access_token", "refresh-tokens",
        "api_key", "X-Api-Key", "apikey", "APIKey", "x-goog-api-key", "Authorization",
        "http.request.header.authorization", "Proxy-Authorization", "auth", "basic_auth",
        "bearer", "Cookie", "Set-Cookie", "cookies", "session", "session_id", "sessionid",
        "PHPSESSID", "JSESSIONID", "connect.sid", "csrftoken", "csrf_token", "X-XSRF-TOKEN",
        "jwt", "id_token", "private_key", "privateKey", "privatekey", "credentials", "creds",
        "dsn", "sentry_dsn", "connection_string", "connectionString", "conn_str", "signature",
        "x-hub-signature-256", "X-Amz-Signature", "sig", "aws_secret_access_key", "AccountKey",
        "x-amz-security-token", "password_hash", "api_key_id", "token.value", "otp",
    ],
)  # fmt: skip
def test_sensitive_keys(key: str) -> None:
    assert Redactor().is_sensitive(key)


@pytest.mark.parametrize(
    "key",
    [
        "author", "authors", "authority", "oauth_provider", "OAuthProvider", "tokenizer",
        "max_tokens", "gen_ai.usage.input_tokens", "completion_tokens", "token_count",
        "tokens_per_second", "passenger", "keyboard", "bypass", "compass", "monkey", "key",
        "primary_key", "cache_key", "public_key", "token_type", "secret_name", "auth_method",
        "password_reset_url", "authorization_url", "signature_algorithm", "session_count",
        "sessions_total", "ssid", "user_id", "secret_santa", "private_key_path",
    ],
)  # fmt: skip
def test_ordinary_keys(key: str) -> None:
    assert not Redactor().is_sensitive(key)


def test_case_and_separators_do_not_matter() -> None:
    redactor = Redactor()
    forms = ["accessToken", "ACCESS-TOKEN", "access_token", "Access.Token", "access token"]
    assert all(redactor.is_sensitive(form) for form in forms)


def test_extra_keys_and_allowed_keys() -> None:
    redactor = Redactor(["ssn", "card_number"], allow=["sessionId"])
    assert redactor.is_sensitive("customer_SSN")
    assert redactor.is_sensitive("cardNumber")
    assert not redactor.is_sensitive("session_id")
    assert redactor.redact({"session_id": "s-1", "ssn": "078-05-1120"}) == {
        "session_id": "s-1",
        "ssn": REDACTED,
    }
    # An allowed key keeps its value whole: no shape rule applies to it either.
    allowed = Redactor(allow=["db.url"])
    url = "postgres://admin:hunter2@db/app"
    assert allowed.redact({"db.url": url}) == {"db.url": url}


# -- values by key --------------------------------------------------------------------------
def test_numbers_and_booleans_are_never_redacted_by_key() -> None:
    values = {"password": 0, "api_key": 1.5, "secret": True, "token": None, "token_ids": [1, 2]}
    assert Redactor().redact(values) == values


def test_everything_textual_under_a_sensitive_key_goes() -> None:
    redacted = Redactor().redact(
        {
            "credentials": {"user": "ann", "password": "hunter2", "attempts": 3},
            "cookies": ["a=1", "b=2"],
            "token": b"raw-bytes",
            "headers": [("Authorization", "opaque-value"), ("Accept", "json")],
        }
    )
    assert redacted == {
        "credentials": {"user": REDACTED, "password": REDACTED, "attempts": 3},
        "cookies": [REDACTED, REDACTED],
        "token": REDACTED,
        "headers": [("Authorization", REDACTED), ("Accept", "json")],
    }


def test_any_depth_and_copy_on_write() -> None:
    redactor = Redactor()
    clean = {"user": "ann", "n": 1, "tags": ("a", "b"), "nested": {"x": [1, {"y": "z"}]}}
    assert redactor.redact(clean) is clean
    items: list[dict[str, Any]] = [{"api_key": "k-1"}, {"id": 2}]
    nested = {"items": items, "headers": {"Authorization": "Bearer abc"}}
    assert redactor.redact(nested) == {
        "items": [{"api_key": REDACTED}, {"id": 2}],
        "headers": {"Authorization": REDACTED},
    }
    assert items[0]["api_key"] == "k-1"  # the input is untouched


class Pair(NamedTuple):
    name: str
    value: str


@dataclasses.dataclass
class Login:
    user: str
    password: str


def test_objects_are_judged_by_their_repr() -> None:
    redactor = Redactor()
    assert (
        redactor.redact_value(Login("ann", "hunter2")) == "Login(user='ann', password='[REDACTED]')"
    )
    plain = Login("ann", "")
    assert redactor.redact_value(plain) is plain
    assert redactor.redact_value(Pair("password", "x")) == Pair("password", REDACTED)
    assert redactor.redact_value({"s"}) == {"s"}
    assert redactor.redact_value(frozenset({"token=abc123"})) == frozenset({"token=[REDACTED]"})


# -- never raises -------------------------------------------------------------------------
class Hostile:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    __str__ = __repr__


def test_redaction_is_total() -> None:
    redactor = Redactor()
    cycle: dict[str, Any] = {"password": "p"}
    cycle["self"] = cycle
    looped: list[Any] = ["token=abc123"]
    looped.append(looped)
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):
        node["k"] = {}
        node = node["k"]
    odd = {
        "cycle": cycle,
        "looped": looped,
        "deep": deep,
        "hostile": Hostile(),
        "surrogate": "\udcff password=hunter2",
        3: "token=abc123",
        (1, 2): [{"secret": "s"}],
        Hostile(): "x",
    }
    redacted = redactor.redact(odd)
    assert redacted["cycle"] == {"password": REDACTED, "self": "[REDACTED:cycle]"}
    assert redacted["looped"] == ["token=[REDACTED]", "[REDACTED:cycle]"]
    assert "[REDACTED:too_deep]" in json.dumps(redacted["deep"])
    assert redacted["hostile"] is odd["hostile"]
    assert redacted["surrogate"] == "\udcff password=[REDACTED]"
    assert redacted[3] == "token=[REDACTED]"
    assert redacted[(1, 2)] == [{"secret": REDACTED}]
    assert redactor.redact_value(deep) is not deep


def test_a_failing_mapping_is_masked_not_raised() -> None:
    class Broken(dict[str, Any]):
        def items(self) -> Any:
            raise RuntimeError("no items")

    assert Redactor().redact(Broken(a=1)) == {"redaction": "[REDACTED:unreadable]"}


def test_deep_call_stacks_do_not_break_it() -> None:
    def at_depth(levels: int) -> Any:
        if levels:
            return at_depth(levels - 1)
        return Redactor().redact({"a": [[[[{"password": "p"}]]]]})

    limit = sys.getrecursionlimit()
    result = at_depth(limit - 60)
    assert "p" not in json.dumps(result).replace("password", "")


# -- shapes ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgres://admin:hunter2@db/app", "postgres://admin:[REDACTED]@db/app"),
        ("redis://:pw-1@cache:6379", "redis://:[REDACTED]@cache:6379"),
        ("https://Tk9fQ2xLm4Np8Rs1@host/x", "https://[REDACTED]@host/x"),
        ("ssh://git@github.com/org/repo.git", "ssh://git@github.com/org/repo.git"),
        ("admin:s3cret@collector:4318", "admin:[REDACTED]@collector:4318"),
        ("/search?q=a&api_key=k1&page=2", "/search?q=a&api_key=[REDACTED]&page=2"),
        ("Authorization: Bearer abc.def-1", "Authorization: Bearer [REDACTED]"),
        ("header value: 'Bearer abc\\n'", "header value: 'Bearer [REDACTED]\\n'"),
        ("Bearer token required", "Bearer token required"),
        ("Basic dXNlcjpwYXNz", "Basic [REDACTED]"),
        ("Basic usage of the API", "Basic usage of the API"),
        ("Token 9944b09199c62bcf9418ad846dd0e4bb", "Token [REDACTED]"),
        ("Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1", "Negotiate [REDACTED]"),
        ("Token expired", "Token expired"),
        ("password=hunter2 user=ann", "password=[REDACTED] user=ann"),
        ("failed: password=hunter2", "failed: password=[REDACTED]"),
        ("{'api_key': 'k1', 'n': 1}", "{'api_key': '[REDACTED]', 'n': 1}"),
        ('{"secret": "a\\"b", "ok": 1}', '{"secret": "[REDACTED]", "ok": 1}'),
        ('{\\"password\\": \\"x\\"}', '{\\"password\\": \\"[REDACTED]\\"}'),
        ("mysql --password hunter2 -u root", "mysql --password [REDACTED] -u root"),
        ("token=b'raw'", "token=b'[REDACTED]'"),
        ("password=[REDACTED]", "password=[REDACTED]"),
        ("max_tokens=1024 author=Jane", "max_tokens=1024 author=Jane"),
        ("key AKIAIOSFODNN7EXAMPLE!", "key [REDACTED:aws_access_key_id]!"),
        ("xAKIAIOSFODNN7EXAMPLE", "xAKIAIOSFODNN7EXAMPLE"),
        (
            "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----",
            "[REDACTED:private_key]",
        ),
        ("-----BEGIN PRIVATE KEY-----\nMIIE truncated", "[REDACTED:private_key]"),
        ("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----", None),
        (
            "https://hooks.slack.com/services/T0/B0/abcdefghijkl",
            "https://hooks.slack.com/services/[REDACTED:slack_webhook]",
        ),
    ],
)  # fmt: skip
def test_shapes_lose_only_the_secret(text: str, expected: str | None) -> None:
    assert Redactor().redact_text(text) == (text if expected is None else expected)


def test_unchanged_text_is_the_same_object() -> None:
    text = "".join(["an ordinary ", "sentence of some length"])
    assert Redactor().redact_text(text) is text


def test_extra_patterns() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        redactor = Redactor(
            patterns=[r"\b\d{3}-\d{2}-\d{4}\b", r"ref:(?P<secret>\w+)", "(unclosed"]
        )
    assert redactor.redact_text("ssn 078-05-1120, ref:abc9") == "ssn [REDACTED], ref:[REDACTED]"
    (warning,) = caught
    assert "(unclosed" in str(warning.message)


def test_registered_literals_are_caught_in_any_text() -> None:
    from pynector.telemetry._secret_text import register_literals

    redactor = Redactor()
    assert redactor.redact_text("x-key was sekrit-value-9") == "x-key was sekrit-value-9"
    register_literals(["sekrit-value-9\n", "abc"])
    assert redactor.redact_text("x-key was sekrit-value-9") == "x-key was [REDACTED]"
    assert redactor.redact_text("in header value: 'sekrit-value-9\\n'") == (
        "in header value: '[REDACTED]'"
    )
    assert redactor.redact_text("abc") == "abc"  # too short to be told from ordinary text


def test_a_registered_bearer_header_leaves_the_bearer_rule_working() -> None:
    # OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer <key>, as vendors document it:
    # its words are registered, but "Bearer" is no credential and must stay
    # for the rule that finds every other bearer token.
    from pynector.telemetry._secret_text import register_literals

    register_literals(["Bearer Hdr-Secret-h01"])
    redactor = Redactor()
    assert redactor.redact_text("sent Authorization: Bearer mF_9.B5f-4.1JqM") == (
        "sent Authorization: Bearer [REDACTED]"
    )
    assert redactor.redact_text("the key Hdr-Secret-h01 alone") == "the key [REDACTED] alone"


# -- spans ----------------------------------------------------------------------------------
@pytest.mark.requires_otel
def test_every_span_channel_is_redacted_on_the_way_out() -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from pynector.telemetry._export.span_redaction import RedactingSpanProcessor

    configure_telemetry(
        trace_exporters=["none"], resource_attributes={"deploy.token": "r-tok", "region": "eu"}
    )
    exporter = InMemorySpanExporter()
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    trace.get_tracer_provider().add_span_processor(  # type: ignore[attr-defined]
        RedactingSpanProcessor(SimpleSpanProcessor(exporter))
    )
    with tracer.start_as_current_span("GET /reset?token=t-1", {"user": "ann"}) as span:
        span.set_attribute("password", "p-1")
        span.add_event("login token=t-2", {"api_key": "k-1", "ok": "yes"})
        span.record_exception(ValueError("postgres://u:pw-3@db/app"))
        span.set_status(trace.Status(trace.StatusCode.ERROR, "Bearer b-4b-4b-4"))
    sdk_span: Any = span  # an OpenTelemetry span: it has a context to link to
    with trace.get_tracer("app").start_as_current_span(
        "linked", links=[trace.Link(sdk_span.get_span_context(), {"secret": "s-5"})]
    ):
        pass
    first, linked = exporter.get_finished_spans()
    assert first.name == "GET /reset?token=[REDACTED]"
    assert first.attributes == {"user": "ann", "password": REDACTED}
    event, exception = first.events
    assert (event.name, dict(event.attributes or {})) == (
        "login token=[REDACTED]",
        {"api_key": REDACTED, "ok": "yes"},
    )
    assert (exception.attributes or {})["exception.message"] == "postgres://u:[REDACTED]@db/app"
    assert "pw-3" not in str((exception.attributes or {})["exception.stacktrace"])
    assert first.status.description == "Bearer [REDACTED]"
    assert dict(linked.links[0].attributes or {}) == {"secret": REDACTED}
    assert first.resource.attributes["deploy.token"] == REDACTED
    assert first.resource.attributes["region"] == "eu"


@pytest.mark.requires_otel
def test_an_applications_own_exporter_wrapped_for_redaction() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from pynector.telemetry.redaction import RedactingSpanExporter

    memory = InMemorySpanExporter()
    exporter = RedactingSpanExporter(memory)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("app").start_as_current_span("s") as span:
        span.set_attribute("db.dsn", "postgres://u:pw-1@db/app")
        span.add_event("retry", {"Authorization": "Bearer abc123def"})
    (exported,) = memory.get_finished_spans()
    assert exported.attributes == {"db.dsn": REDACTED}
    assert dict(exported.events[0].attributes or {}) == {"Authorization": REDACTED}
    assert exporter.force_flush() is True
    set_active_redactor(None)  # redaction off: spans pass through untouched
    assert exporter.export([exported]).name == "SUCCESS"
    exporter.shutdown(timeout_millis=10)  # passed on only to exporters that take it


@pytest.mark.requires_otel
def test_a_span_that_cannot_be_redacted_is_dropped_not_exported() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from pynector.telemetry.redaction import RedactingSpanExporter, RedactingSpanProcessor

    class Broken(Redactor):
        def redact_unguarded(self, mapping: Any) -> Any:
            raise RuntimeError("broken")

    exported = InMemorySpanExporter()
    processed = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(exported, Broken())))
    provider.add_span_processor(
        RedactingSpanProcessor(SimpleSpanProcessor(processed), redactor=Broken())
    )
    tracer = provider.get_tracer("app")
    with (
        pytest.warns(TelemetryWarning, match="could not be redacted"),
        tracer.start_as_current_span("s", attributes={"k": "v"}),
    ):
        pass
    assert exported.get_finished_spans() == ()
    assert processed.get_finished_spans() == ()


@pytest.mark.requires_otel
def test_a_span_without_secrets_is_passed_on_as_is() -> None:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    from pynector.telemetry._export.span_redaction import redact_span

    provider = TracerProvider(resource=Resource.create({"service.name": "s"}))
    span = provider.get_tracer("t").start_span("plain", attributes={"n": 1, "s": "text"})
    span.add_event("e", {"k": "v"})
    span.end()
    finished: Any = span  # an ended SDK span is a ReadableSpan
    assert redact_span(finished, Redactor()) is finished


@pytest.mark.requires_otel
def test_the_applications_own_provider_gets_redacted_attributes_from_the_library(
    span_exporter: InMemorySpanExporter,
) -> None:
    @traced(record_args=True)
    def connect(dsn: str, login: Login, options: dict[str, Any]) -> None:
        raise ConnectionError(f"cannot reach {dsn}")

    with tracer.start_as_current_span("s", {"api_key": "k-1", "url": "https://a:pw-2@h/"}):
        pass
    with pytest.raises(ConnectionError):
        connect("postgres://app:pw-3@db/app", Login("ann", "pw-4"), {"token": "t-5"})
    plain, failed = span_exporter.get_finished_spans()
    assert plain.attributes == {"api_key": REDACTED, "url": "https://a:[REDACTED]@h/"}
    assert failed.attributes is not None
    shown = json.dumps(dict(failed.attributes))
    assert [secret for secret in ("pw-3", "pw-4", "t-5") if secret in shown] == []
    assert failed.attributes["code.args.dsn"] == REDACTED  # "dsn" names a secret


@pytest.mark.requires_otel
async def test_failures_recorded_by_pynector_are_redacted_for_any_provider(
    span_exporter: InMemorySpanExporter,
) -> None:
    from pynector.telemetry.context import traced_async_operation

    with pytest.raises(TimeoutError):
        async with traced_async_operation(tracer, "op"):
            raise TimeoutError("token=t-9 expired")
    (span,) = span_exporter.get_finished_spans()
    assert span.status.description == "TimeoutError: token=[REDACTED] expired"
    attributes = span.events[0].attributes or {}
    assert attributes["exception.message"] == "token=[REDACTED] expired"
    assert "t-9" not in str(attributes["exception.stacktrace"])


@pytest.mark.requires_otel
def test_configured_provider_redacts_once_at_export_not_at_the_facade() -> None:
    from pynector.telemetry import redaction

    configure_telemetry(trace_exporters=["none"])
    assert redaction._boundary is None
    assert active_redactor() is not None


# -- switches --------------------------------------------------------------------------------
@pytest.mark.requires_otel
@pytest.mark.parametrize("redact", [True, False])
def test_redaction_can_be_switched_off(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, redact: bool
) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "stdout")
    configure_telemetry(trace_exporters=["console"], redact=redact)
    with tracer.start_as_current_span("s", {"password": "visible", "n": "token=visible"}):
        pass
    out = capsys.readouterr().out
    assert ("visible" in out) is not redact
    assert (REDACTED in out) is redact
    assert (active_redactor() is None) is not redact


def test_warnings_are_redacted_even_when_redaction_is_off() -> None:
    from pynector.telemetry._warnings import warn_once

    set_active_redactor(None)
    assert redact_text("password=x") == "password=x"
    with pytest.warns(TelemetryWarning) as caught:
        warn_once("test-secret", "Ignoring OTEL_X='https://u:pw-1@host?api_key=k-2'")
    assert str(caught[0].message) == (
        "Ignoring OTEL_X='https://u:[REDACTED]@host?api_key=[REDACTED]'"
    )


@pytest.mark.requires_otel
def test_configure_telemetry_takes_keys_patterns_and_an_allow_list(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYNECTOR_CONSOLE_STREAM", "stdout")
    configure_telemetry(
        trace_exporters=["console"],
        redact_keys=["ssn"],
        redact_patterns=[re.compile(r"ORD-\d+")],
        redact_allow=["session_id"],
    )
    with tracer.start_as_current_span(
        "s", {"ssn": "078-05-1120", "order": "ORD-991", "session_id": "keep-me"}
    ):
        pass
    out = capsys.readouterr().out
    assert "078-05-1120" not in out
    assert "ORD-991" not in out
    assert "session_id='keep-me'" in out


# -- logs -------------------------------------------------------------------------------------
@pytest.mark.requires_structlog
def test_library_log_fields_are_redacted_in_the_application_structlog_pipeline(
    recwarn: pytest.WarningsRecorder,
) -> None:
    import structlog

    out = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    configure_telemetry(trace_exporters=["none"])
    log.info("login password=p-1", user="ann", headers={"Cookie": "c-2"})
    assert json.loads(out.getvalue()) == {
        "event": "login password=[REDACTED]",
        "user": "ann",
        "headers": {"Cookie": REDACTED},
        "logger": "tests.redaction",
    }
    (warning,) = [w for w in recwarn if "structlog is already configured" in str(w.message)]
    assert "redact_secrets" in str(warning.message)


@pytest.mark.requires_structlog
def test_redact_secrets_processor_for_an_application_pipeline() -> None:
    import structlog

    from pynector.telemetry.processors import redact_secrets

    out = io.StringIO()
    structlog.configure(
        processors=[
            structlog.processors.format_exc_info,
            redact_secrets,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(out),
    )
    try:
        raise ValueError("dsn=postgres://u:pw-1@db/app")
    except ValueError:
        structlog.get_logger().exception("failed %s", "token=t-2")
    line = json.loads(out.getvalue())
    assert line["event"] == "failed token=[REDACTED]"
    assert "pw-1" not in line["exception"]
    set_active_redactor(None)
    assert redact_secrets(None, "info", {"password": "p"}) == {"password": "p"}


@pytest.mark.requires_structlog
def test_unconfigured_structlog_library_events_reach_stdlib_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="tests.redaction")
    log.info("token=t-1 used", api_key="k-2", n=3)
    (record,) = caplog.records
    assert record.getMessage() == "token=[REDACTED] used api_key='[REDACTED]' n=3"
    assert field(record, "event_fields") == {"api_key": REDACTED, "n": 3}


@pytest.fixture
def stdlib_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction.stdlib")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield stream
    logger.removeHandler(handler)


@pytest.mark.requires_structlog
def test_stdlib_records_are_redacted_after_configure(stdlib_stream: io.StringIO) -> None:
    configure_telemetry(trace_exporters=["none"])
    logger = logging.getLogger("tests.redaction.stdlib")
    logger.info("connect %s as %s", "postgres://u:pw-1@db/app", "ann")
    logger.info("%s=%s", "password", "pw-2")
    logger.info("mapping %(token)s %(n)d", {"token": "t-3", "n": 4})
    logger.info("where", stack_info=True)  # the stack is source lines: redacted too
    try:
        raise RuntimeError("api_key=k-5")
    except RuntimeError:
        logger.exception("failed")
    shown = stdlib_stream.getvalue()
    for secret in ("pw-1", "pw-2", "t-3", "k-5"):
        assert secret not in shown
    assert "connect postgres://u:[REDACTED]@db/app as ann" in shown
    assert "password=[REDACTED]" in shown
    assert "mapping [REDACTED] 4" in shown
    assert "RuntimeError: api_key=[REDACTED]" in shown


def test_a_redacting_filter_for_the_applications_own_handlers(stdlib_stream: io.StringIO) -> None:
    from pynector.telemetry.redaction import RedactingLogFilter

    logger = logging.getLogger("tests.redaction.stdlib")
    redacting = RedactingLogFilter()
    logger.addFilter(redacting)
    try:
        logger.warning("retry with Bearer abcdef123 in %ds", 5)
    finally:
        logger.removeFilter(redacting)
    assert stdlib_stream.getvalue() == "retry with Bearer [REDACTED] in 5s\n"


def test_a_dict_logged_as_a_message_is_redacted_by_key(stdlib_stream: io.StringIO) -> None:
    # Only structlog's events carry its logger; any other dict is the
    # application's message, shown through its own handlers.
    from pynector.telemetry.redaction import RedactingLogFilter

    logger = logging.getLogger("tests.redaction.stdlib")
    redacting = RedactingLogFilter()
    logger.addFilter(redacting)
    try:
        logger.warning({"order": 7, "client_secret": "cs-9x8y7z"})
    finally:
        logger.removeFilter(redacting)
    assert stdlib_stream.getvalue() == "{'order': 7, 'client_secret': '[REDACTED]'}\n"


# -- the whole application ------------------------------------------------------------------
CONSOLE_APP = """
from pynector.telemetry import configure_telemetry, get_telemetry
configure_telemetry(service_name="c", trace_exporters=["none"])
tracer, log = get_telemetry("lib")

def charge(card):
    api_key = "sk-live-4f9a8b7c6d5e4f3a2b1c0d9e"
    raise ConnectionError("refused for password=Hunt3r-xyz")

try:
    charge("4111111111111111")
except ConnectionError:
    log.exception("charge failed", token="abc-123-tok")
"""


@pytest.mark.requires_structlog
def test_console_tracebacks_never_show_locals() -> None:
    result = run_python(CONSOLE_APP, env={"PYNECTOR_LOG_FORMAT": "console"})
    assert result.returncode == 0, result.stderr
    assert "charge failed" in result.stderr
    assert "ConnectionError: refused for password=[REDACTED]" in result.stderr
    for secret in ("sk-live-4f9a", "Hunt3r-xyz", "4111111111111111", "abc-123-tok"):
        assert secret not in result.stderr


LOSS_APP = """
from pynector.telemetry import configure_telemetry, get_telemetry
configure_telemetry(service_name="loss", trace_exporters=["otlp"], redact=REDACT)
tracer, _ = get_telemetry("lib")
with tracer.start_as_current_span("s"):
    pass
"""


@pytest.mark.requires_otel
@pytest.mark.parametrize("redact", [True, False])
def test_the_loss_report_never_quotes_a_header_value(redact: bool) -> None:
    from support.collector import free_port

    result = run_python(
        LOSS_APP.replace("REDACT", str(redact)),
        env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{free_port()}",
            "OTEL_EXPORTER_OTLP_HEADERS": (
                "x-api-key=Hdr-Secret-77%0A,authorization=Bearer%20T0k-99"
            ),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "were not delivered" in result.stderr
    assert "Hdr-Secret-77" not in result.stderr
    assert "T0k-99" not in result.stderr


@pytest.mark.requires_otel
@pytest.mark.parametrize(
    "endpoint",
    [
        "htp://admin:Ep-Pw-1@host:4318",
        "admin:Ep-Pw-2@collector:4318",
        "https://Tk9fQ2xLm4Np8Rs1zz@host:99999",
        "http://host:bad?api_key=Ep-Key-3",
    ],
)
def test_warnings_and_doctor_never_echo_a_malformed_endpoints_secret(endpoint: str) -> None:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_TRACES_EXPORTER": "otlp"}
    configured = run_python(
        'from pynector.telemetry import configure_telemetry; configure_telemetry(service_name="w")',
        env=env,
    )
    doctor = run_python("from pynector.telemetry._cli import main; main(['doctor'])", env=env)
    secret = re.search(r"(Ep-Pw-\d|Tk9fQ2xLm4Np8Rs1zz|Ep-Key-3)", endpoint)
    assert secret is not None
    assert "Ignoring OTEL_EXPORTER_OTLP_ENDPOINT" in configured.stderr
    assert "Ignoring OTEL_EXPORTER_OTLP_ENDPOINT" in doctor.stdout  # listed as a problem
    printed = configured.stdout + configured.stderr + doctor.stdout + doctor.stderr
    assert secret[0] not in printed
