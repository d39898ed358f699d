"""The corpora through a configured application: no secret out, every benign value intact.

``tests/data/secrets.json`` holds secrets of every kind the redaction rules
claim to cover (by key and by shape); ``tests/data/benign.json`` holds
values that look a little like secrets but are not.  A real application
(``support/secret_app.py``) sends each of them through every channel to
the console exporter (the tree and one line per span, on stdout here),
structlog and stdlib logging (stderr) and a real OTLP collector (spans and
log records); then every sink is searched.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from pynector.telemetry.redaction import Redactor
from support.processes import clean_env

if TYPE_CHECKING:
    from support.collector import Collector

DATA = Path(__file__).parent.parent / "data"
APP = Path(__file__).parent.parent / "support" / "secret_app.py"
SECRETS: dict[str, Any] = json.loads((DATA / "secrets.json").read_text())
BENIGN: dict[str, Any] = json.loads((DATA / "benign.json").read_text())
BY_KEY: list[dict[str, str]] = SECRETS["by_key"]
BY_SHAPE: list[dict[str, Any]] = SECRETS["by_shape"]
ALL_SECRETS = [entry["secret"] for entry in BY_KEY + BY_SHAPE]
SPANS_PER_SEND = 5  # the span, a linked span, @traced, @traced coroutine, traced_async_operation
# library event and failure, structlog positional, stdlib args, mapping and failure
RECORDS_PER_SEND = 6
# The exporter header vendors document: its value is a secret too.
HEADER_SECRET = "Hdr-Secret-h01"


def _forms(secret: str) -> set[str]:
    """The secret as any sink could spell it: as is, JSON- or repr-escaped."""
    return {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}


def _found(secret: str, sink: str) -> bool:
    return any(form in sink for form in _forms(secret))


def _run_app(
    tmp_path: Path, collector: Collector, pairs: list[list[Any]], texts: list[str], **env: str
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]], list[dict[str, Any]]]:
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps({"pairs": pairs, "texts": texts}))
    result = subprocess.run(
        [sys.executable, str(APP), str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=clean_env(
            {
                "PYNECTOR_LOG_FORMAT": "json",
                "PYNECTOR_CONSOLE_STREAM": "stdout",  # the console exporter's own sink
                "PYNECTOR_CONSOLE_COLORS": "never",
                "OTEL_EXPORTER_OTLP_ENDPOINT": collector.http_endpoint,
                "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Bearer {HEADER_SECRET}",
                "OTEL_LOGS_EXPORTER": "otlp",
                **env,
            }
        ),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    sent = len(pairs) + len(texts)
    spans = collector.wait_for(SPANS_PER_SEND * sent)
    assert len(spans) == SPANS_PER_SEND * sent
    records = collector.wait_for_logs(RECORDS_PER_SEND * sent)
    assert len(records) == RECORDS_PER_SEND * sent
    return result, spans, records


def test_the_corpora_are_big_enough() -> None:
    assert len(ALL_SECRETS) >= 50
    assert len(set(ALL_SECRETS)) == len(ALL_SECRETS)
    for entry in BY_SHAPE:  # the text holds its secret and what must be kept
        assert entry["secret"] in entry["text"]
        assert all(kept in entry["text"] for kept in entry["keep"])
    assert len(BENIGN["by_key"]) + len(BENIGN["texts"]) >= 50


def test_every_secret_is_redacted_and_only_the_secret() -> None:
    redactor = Redactor()
    for entry in BY_KEY:
        key, secret = entry["key"], entry["secret"]
        for shown in (
            json.dumps(redactor.redact({key: secret, "nested": [{key: secret}]})),
            redactor.redact_text(f"{key}={secret}"),
            redactor.redact_text(f"{key}: {secret}"),
            redactor.redact_text(repr({key: secret})),
            redactor.redact_text(json.dumps({key: secret})),
        ):
            assert not _found(secret, shown), (key, shown)
    for entry in BY_SHAPE:
        shown = redactor.redact_text(entry["text"])
        assert not _found(entry["secret"], shown), (entry["id"], shown)
        for kept in entry["keep"]:
            assert kept in shown, (entry["id"], kept, shown)
        assert redactor.redact({"note": entry["text"]}) == {"note": shown}


def test_no_benign_value_is_redacted() -> None:
    redactor = Redactor()
    values = {entry["key"]: entry["value"] for entry in BENIGN["by_key"]}
    redacted = redactor.redact(values)
    changed = [key for key in values if redacted[key] != values[key]]
    changed += [text for text in BENIGN["texts"] if redactor.redact_text(text) != text]
    assert changed == []


def _secret_app_input() -> tuple[list[list[Any]], list[str]]:
    pairs = [[entry["key"], entry["secret"]] for entry in BY_KEY]
    texts = [entry["text"] for entry in BY_SHAPE]
    texts += [f"{entry['key']}={entry['secret']}" for entry in BY_KEY]
    texts += [f"{entry['key']}: {entry['secret']}" for entry in BY_KEY]
    return pairs, texts


def _resource_variable(pairs: dict[str, str]) -> str:
    return ",".join(f"{key}={quote(value, safe='')}" for key, value in pairs.items())


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
@pytest.mark.parametrize(
    ("console", "handler"),
    [("console", "ours"), ("console-lines", "ours"), ("console-lines", "basic")],
    ids=["tree", "lines+json-logs", "lines+app-handler"],
)
def test_no_secret_reaches_the_console_stderr_or_the_collector(
    tmp_path: Path, collector: Collector, console: str, handler: str
) -> None:
    pairs, texts = _secret_app_input()
    from_environment = {
        "deploy.password": "Env-Pw-r01",
        "deploy.db": "postgres://ops:Env-Db-r02@db.internal/app",
    }
    result, spans, records = _run_app(
        tmp_path,
        collector,
        pairs,
        texts,
        CORPUS_CONSOLE=console,
        CORPUS_HANDLER=handler,
        OTEL_RESOURCE_ATTRIBUTES=_resource_variable(from_environment),
    )
    secrets = [*ALL_SECRETS, "Env-Pw-r01", "Env-Db-r02", HEADER_SECRET]
    sinks = {
        "console": result.stdout,
        "stderr": result.stderr,
        "collector": json.dumps(spans),
        "collector logs": json.dumps(records),
    }
    found = {name: [s for s in secrets if _found(s, sink)] for name, sink in sinks.items()}
    assert found == {"console": [], "stderr": [], "collector": [], "collector logs": []}, {
        name: f"{len(leaks)} of {len(secrets)}: {leaks}" for name, leaks in found.items()
    }
    # Every channel did write: the sinks are not empty by accident.
    sent = len(pairs) + len(texts)
    written = {
        # the tree draws log lines made in a span under it, instead of stderr
        "tree": (result.stdout, " library failure ", " positional ", " stdlib failure"),
        "lines+json-logs": (
            result.stderr,
            '"event": "library failure"',
            '"event": "positional ',
            '"event": "stdlib failure"',
        ),
        "lines+app-handler": (
            result.stderr,
            "stdlib library failure ",
            "stdlib positional ",
            "stdlib stdlib failure",
        ),
    }
    sink, *lines = written[
        {"ours": "tree" if console == "console" else "lines+json-logs"}.get(
            handler, "lines+app-handler"
        )
    ]
    assert [sink.count(line) for line in lines] == [sent, sent, sent]
    if console == "console-lines":
        printed = result.stdout.count("span 'span ") + result.stdout.count('span "span ')
        assert printed == sent
    assert all(span["resource"]["deploy.password"] == "[REDACTED]" for span in spans)
    # Secrets by shape lose the secret part only.
    kept = " ".join(span["attributes"].get("note", "") for span in spans)
    for entry in BY_SHAPE:
        assert all(part in kept for part in entry["keep"]), entry["id"]


@pytest.mark.requires_otel
@pytest.mark.requires_structlog
def test_benign_values_survive_every_sink(tmp_path: Path, collector: Collector) -> None:
    pairs = [[entry["key"], entry["value"]] for entry in BENIGN["by_key"]]
    texts: list[str] = BENIGN["texts"]
    result, spans, _ = _run_app(
        tmp_path, collector, pairs, texts, CORPUS_CONSOLE="console-lines", CORPUS_HANDLER="ours"
    )
    by_name = {span["name"]: span for span in spans if span["name"].startswith("span ")}
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    logged = {
        event["event"]: event
        for event in events
        if event.get("logger") == "corpus.library" and event["event"] != "library failure"
    }
    stdlib_events = {event["event"] for event in events if event.get("logger") == "corpus.stdlib"}
    changed: list[str] = []
    for key, value in pairs:
        span = by_name[f"span value of {key}"]
        if (
            span["attributes"].get(key) != value
            or span["resource"].get(_resource_key(key)) != value
        ):
            changed.append(f"collector {key}")
        if f"{key}={value!r}" not in result.stdout:
            changed.append(f"console {key}")
        if logged[f"value of {key}"].get(key) != value:
            changed.append(f"log {key}")
    for text in texts:
        span = by_name[f"span {text}"]
        if span["attributes"].get("note") != text or span["status"] != text:
            changed.append(f"collector {text!r}")
        if span["events"][0]["name"] != f"event {text}":
            changed.append(f"event {text!r}")
        if f"note={text!r}" not in result.stdout or f"error={text!r}" not in result.stdout:
            changed.append(f"console {text!r}")
        if logged[text].get("note") != text or f"args {text} and 42" not in stdlib_events:
            changed.append(f"log {text!r}")
    assert changed == [], f"{len(changed)} of {len(pairs) + len(texts)} benign values changed"


def _resource_key(key: str) -> str:
    index = next(i for i, entry in enumerate(BENIGN["by_key"]) if entry["key"] == key)
    return f"app.{index}.{key}"
