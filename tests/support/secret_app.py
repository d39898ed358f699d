"""An application that sends a corpus through every channel telemetry has.

Run as ``python secret_app.py CORPUS.json``, where the corpus holds
``pairs`` (``[key, value]``: a value under a key) and ``texts`` (strings
sent where there is no key).  It configures telemetry for the console
exporter named by ``CORPUS_CONSOLE`` (``console``, the tree, by default, or
``console-lines``), logging to stderr (through the application's own
``basicConfig`` handler, or with ``CORPUS_HANDLER=ours`` pynector's JSON
one) and OTLP (the collector named by ``OTEL_EXPORTER_OTLP_ENDPOINT``), then
sends every pair and text through:

* span names, attributes (top level, nested dicts, lists of dicts),
  ``set_attribute``, event names and attributes, ``record_exception``,
  status descriptions and link attributes;
* the resource (the ``resource_attributes`` argument; the test adds
  ``OTEL_RESOURCE_ATTRIBUTES``);
* failures of ``@traced`` functions and coroutines and of
  ``traced_async_operation``, and ``@traced(record_args=True)`` arguments
  (a dataclass with a ``password`` field, a dict, a string);
* library log events (message, fields at any depth, ``log.exception``),
  structlog positional arguments, stdlib ``%``-arguments (positional and
  mapping) and stdlib exception text.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import structlog
from opentelemetry import trace as otel_trace
from opentelemetry.trace import Link, Status, StatusCode

from pynector.telemetry import configure_telemetry, get_telemetry, traced
from pynector.telemetry.context import traced_async_operation

tracer, log = get_telemetry("corpus.library")


@dataclasses.dataclass
class Login:
    user: str
    password: str


@traced(record_args=True)
def sign_in(login: Login, options: dict[str, Any], note: str) -> None:
    raise PermissionError(note)


@traced
async def fetch(note: str) -> None:
    raise LookupError(note)


async def operation(note: str) -> None:
    async with traced_async_operation(tracer, "operation", {"note": note}):
        raise TimeoutError(note)


def send(key: str | None, value: Any, text: str) -> None:
    attributes: dict[str, Any] = {"note": text} if key is None else {key: value, "note": text}
    stdlib = logging.getLogger("corpus.stdlib")
    with tracer.start_as_current_span(
        f"span {text}", {**attributes, "nested": {"headers": attributes}, "items": [attributes]}
    ) as span:
        span.set_attributes({f"set.{name}": item for name, item in attributes.items()})
        span.add_event(f"event {text}", attributes)
        span.record_exception(ValueError(text))
        span.set_status(Status(StatusCode.ERROR, text))
        log.info(text, **attributes, nested={"deep": [attributes]})
        try:
            raise ValueError(text)
        except ValueError:
            log.exception("library failure", **attributes)
        # Without a key, only a secret's shape can give it away: positional
        # arguments get the text (which, for a key's value, is "key=value").
        structlog.get_logger("corpus.structlog").info("positional %s and %s", text, 42)
        stdlib.info("args %s and %s", text, 42)
        stdlib.info("mapping %(note)s", {"note": text})
        try:
            raise RuntimeError(text)
        except RuntimeError:
            stdlib.exception("stdlib failure")
    application_tracer = otel_trace.get_tracer("corpus.application")
    sdk_span: Any = span  # an OpenTelemetry span: it has a context to link to
    with application_tracer.start_as_current_span(
        "linked", links=[Link(sdk_span.get_span_context(), attributes)]
    ):
        pass
    with contextlib.suppress(PermissionError):
        sign_in(Login("ann", value if isinstance(value, str) else text), attributes, text)
    for failing in (fetch(text), operation(text)):
        with contextlib.suppress(LookupError, TimeoutError):
            asyncio.run(failing)


def main() -> None:
    corpus = json.loads(Path(sys.argv[1]).read_text())
    pairs = [(key, value) for key, value in corpus["pairs"]]
    texts: list[str] = corpus["texts"]
    if os.environ.get("CORPUS_HANDLER", "basic") == "basic":  # else pynector's own, JSON
        logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="stdlib %(message)s")
    resource = {f"app.{index}.{key}": value for index, (key, value) in enumerate(pairs)}
    resource.update({f"app.note.{index}": text for index, text in enumerate(texts)})
    console = os.environ.get("CORPUS_CONSOLE", "console")  # the tree, or "console-lines"
    configure_telemetry(
        service_name="corpus", trace_exporters=[console, "otlp"], resource_attributes=resource
    )
    for key, value in pairs:
        send(key, value, f"value of {key}")
    for text in texts:
        send(None, None, text)


if __name__ == "__main__":
    main()
