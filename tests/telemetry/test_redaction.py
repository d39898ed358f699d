"""Secrets never leave the process: spans, events and log lines are redacted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from pynector.telemetry.redaction import REDACTED, Redactor
from support.processes import run_python

if TYPE_CHECKING:
    from support.collector import Collector

SECRETS = ["hunter2", "tok-123", "sk-live-9", "Bearer abc", "sess-42", "PRIVATE-KEY-7", "ck=1"]


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "user_password",
        "PASSWD",
        "client_secret",
        "accessToken",
        "refresh-tokens",
        "api_key",
        "X-Api-Key",
        "apikey",
        "Authorization",
        "http.request.header.authorization",
        "auth",
        "Cookie",
        "Set-Cookie",
        "session_id",
        "private_key",
        "credentials",
    ],
)
def test_sensitive_keys(key: str) -> None:
    assert Redactor().is_sensitive(key)


@pytest.mark.parametrize("key", ["author", "user", "tokenizer_name", "sessions_total_count_x"])
def test_innocent_keys(key: str) -> None:
    # "sessions_total_count_x" contains the word "sessions": plural of a sensitive word.
    assert Redactor().is_sensitive(key) is (key == "sessions_total_count_x")


def test_redact_is_recursive_and_copy_on_write() -> None:
    redactor = Redactor(extra_keys=["ssn"])
    clean = {"user": "ann", "n": 1}
    assert redactor.redact(clean) is clean
    nested: dict[str, Any] = {
        "headers": {"Authorization": "Bearer abc", "accept": "json"},
        "customer_ssn": "1",
    }
    assert redactor.redact(nested) == {
        "headers": {"Authorization": REDACTED, "accept": "json"},
        "customer_ssn": REDACTED,
    }
    assert nested["headers"]["Authorization"] == "Bearer abc"  # input untouched


LEAKY_APP = """
import logging, sys
from pynector.telemetry import configure_telemetry, get_telemetry

logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="stdlib %(message)s")
configure_telemetry(service_name="leaky", trace_exporters=["console-lines"] + sys.argv[1:],
                    redact_keys=["card_number"])
tracer, log = get_telemetry("leaky")
with tracer.start_as_current_span("login", {"user": "ann", "password": "hunter2",
                                            "request": {"api_key": "sk-live-9"}}) as span:
    span.set_attribute("auth_token", "tok-123")
    span.set_attribute("card_number", "4111")
    span.add_event("headers", {"Authorization": "Bearer abc", "Cookie": "ck=1"})
    log.info("logged in", session_id="sess-42", private_key="PRIVATE-KEY-7", user="ann",
             headers={"X-Api-Key": "sk-live-9"})
    logging.getLogger("other").info("plain stdlib record")
"""


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_known_secrets_never_reach_exported_output(collector: Collector) -> None:
    result = run_python(
        LEAKY_APP.replace("sys.argv[1:]", '["otlp"]'),
        env={
            "PYNECTOR_LOG_FORMAT": "json",
            "PYNECTOR_CONSOLE_STREAM": "stdout",
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.http_endpoint,
        },
    )
    assert result.returncode == 0, result.stderr
    exported = collector.wait_for(1)
    everything = result.stdout + result.stderr + json.dumps(exported)
    for secret in [*SECRETS, "4111"]:
        assert secret not in everything, secret
    (span,) = exported
    assert span["attributes"]["password"] == REDACTED
    assert span["attributes"]["auth_token"] == REDACTED
    assert span["attributes"]["card_number"] == REDACTED
    assert span["attributes"]["user"] == "ann"
    assert "login" in result.stdout  # the console exporter printed the span, redacted
    # The application's own handler (basicConfig) gets the library's event, redacted.
    log_line = next(line for line in result.stderr.splitlines() if "logged in" in line)
    assert log_line == (
        f"stdlib logged in session_id='{REDACTED}' private_key='{REDACTED}' user='ann' "
        f"headers={{'X-Api-Key': '{REDACTED}'}}"
    )


@pytest.mark.requires_otel
@pytest.mark.parametrize("redact", [True, False])
def test_redaction_can_be_switched_off(capsys: pytest.CaptureFixture[str], redact: bool) -> None:
    from pynector.telemetry import configure_telemetry, get_telemetry

    configure_telemetry(trace_exporters=["console"], redact=redact)
    tracer, _ = get_telemetry("tests.redaction")
    with tracer.start_as_current_span("s", {"password": "visible"}):
        pass
    out = capsys.readouterr().err  # the console tree
    assert ("visible" in out) is not redact
    assert (REDACTED in out) is redact
