"""Apply the :mod:`~pynector.telemetry.redaction` rules to spans on their way out.

Attributes, events, links and the status can change until a span ends, so
redaction happens after it ends, on a copy of the span with its secrets
replaced in the name, attributes (at any depth), event names and
attributes (exception messages and stack traces included), link
attributes, status description and resource attributes.  A span with
nothing to redact is passed on as it is, without copying.

Two wrappers apply it:

* :class:`RedactingSpanExporter` wraps an exporter, so redaction runs
  where the export runs: in a batching processor's background thread, off
  the application's path.  ``configure_telemetry`` wraps its exporters
  this way (the console's runs synchronously, as the console does);
* :class:`RedactingSpanProcessor` wraps processors, for a processor whose
  exporter cannot be reached.

An application with a tracer provider of its own wraps its exporter::

    provider.add_span_processor(BatchSpanProcessor(RedactingSpanExporter(OTLPSpanExporter())))
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Link, Status

from .._warnings import warn_once
from ..redaction import Redactor, active_redactor
from .span_copy import CopiedSpan

__all__ = ["RedactingSpanExporter", "RedactingSpanProcessor", "redact_span"]


def _events(events: Sequence[Event], redactor: Redactor) -> Sequence[Event]:
    redacted = list(events)
    changed = False
    for index, event in enumerate(events):
        attributes = _attributes_of(event)
        name = redactor.redact_text_unguarded(event.name)
        new_attributes = redactor.redact_unguarded(attributes) if attributes else attributes
        if name is not event.name or new_attributes is not attributes:
            redacted[index] = Event(name, new_attributes, event.timestamp)
            changed = True
    return redacted if changed else events


def _links(links: Sequence[Link], redactor: Redactor) -> Sequence[Link]:
    redacted = list(links)
    changed = False
    for index, link in enumerate(links):
        attributes = _attributes_of(link)
        if (
            attributes
            and (new_attributes := redactor.redact_unguarded(attributes)) is not attributes
        ):
            redacted[index] = Link(link.context, new_attributes)
            changed = True
    return redacted if changed else links


def _status(status: Status, redactor: Redactor) -> Status:
    description = status.description
    if not description:
        return status
    redacted = redactor.redact_text_unguarded(description)
    return status if redacted is description else Status(status.status_code, redacted)


def redact_resource(resource: Resource, redactor: Redactor) -> Resource:
    """*resource* itself if nothing is secret, else a redacted copy."""
    attributes: Mapping[str, Any] = resource.attributes
    redacted = redactor.redact(attributes)
    if redacted is attributes:
        return resource
    return Resource(redacted, resource.schema_url)


def _attributes_of(owner: Any) -> Mapping[str, Any]:
    """*owner*'s attributes, as a plain dict when the SDK keeps one (see _parts)."""
    inner = getattr(getattr(owner, "_attributes", None), "_dict", None)
    if isinstance(inner, dict):
        return inner
    return owner.attributes or {}


_Parts = tuple[Mapping[str, Any], str, Sequence[Event], Sequence[Link], Status, Resource]


def _parts(span: ReadableSpan) -> _Parts:
    """Attributes, name, events, links, status and resource of *span*.

    Redaction runs on every span, so this reads the SDK's own fields: the
    public properties cost more than redacting ten attributes (each event
    or link read copies a list under a lock; ``attributes`` is a proxy
    read one Python call per item).  Any other ReadableSpan goes through
    the public API.
    """
    sdk: Any = span  # the SDK's private fields, typed loosely on purpose
    try:
        attributes = sdk._attributes._dict
        events = span.events if sdk._events._dq else ()
        links = span.links if sdk._links._dq else ()
        name, status, resource = sdk._name, sdk._status, sdk._resource
    except AttributeError:
        return (
            span.attributes or {},
            span.name,
            span.events,
            span.links,
            span.status,
            span.resource,
        )
    if type(attributes) is not dict:
        attributes = span.attributes or {}
    return attributes, name, events, links, status, resource


class ResourceCache:
    """The last resource seen and its redacted form.

    The resource is the same object for every span of a provider, so it is
    redacted once, not once per span.
    """

    __slots__ = ("original", "redacted", "redactor")

    def __init__(self) -> None:
        self.original: Resource | None = None
        self.redacted: Resource | None = None
        self.redactor: Redactor | None = None

    def get(self, resource: Resource, redactor: Redactor) -> Resource:
        if resource is self.original and redactor is self.redactor:
            return self.redacted  # type: ignore[return-value]
        redacted = redact_resource(resource, redactor)
        self.original, self.redacted, self.redactor = resource, redacted, redactor
        return redacted


def redact_span(
    span: ReadableSpan, redactor: Redactor, resources: ResourceCache | None = None
) -> ReadableSpan:
    """*span* itself if nothing is secret, else a redacted copy; may raise
    (:class:`RedactingSpanProcessor` drops a span it cannot redact).
    """
    attributes, name, events, links, status, original_resource = _parts(span)
    new_attributes = redactor.redact_unguarded(attributes) if attributes else attributes
    new_name = name if redactor.is_clean_text(name) else redactor.redact_text_unguarded(name)
    new_events = _events(events, redactor) if events else events
    new_links = _links(links, redactor) if links else links
    new_status = _status(status, redactor) if status.description else status
    if resources is None:
        resource = redact_resource(original_resource, redactor)
    elif original_resource is resources.original and redactor is resources.redactor:
        resource = resources.redacted  # type: ignore[assignment]
    else:
        resource = resources.get(original_resource, redactor)
    if (
        new_attributes is attributes
        and new_name is name
        and new_events is events
        and new_links is links
        and new_status is status
        and resource is original_resource
    ):
        return span
    return CopiedSpan(
        span,
        name=new_name,
        attributes=new_attributes,
        events=new_events,
        links=new_links,
        status=new_status,
        resource=resource,
    )


def _unredactable(error: Exception) -> None:
    warn_once(
        "span-redaction-failed",
        f"A span could not be redacted ({type(error).__name__}) and was not exported. "
        "This warning is shown once per process.",
    )


class RedactingSpanExporter(SpanExporter):
    """Hand *exporter* redacted copies of the spans it is asked to export.

    *redactor* defaults to the process's (see
    :func:`~pynector.telemetry.redaction.active_redactor`), read at each
    export.  A span whose redaction fails is dropped, with one warning,
    rather than exported with its secrets.
    """

    def __init__(self, exporter: SpanExporter, redactor: Redactor | None = None) -> None:
        self.exporter = exporter
        self.redactor = redactor
        self._resources = ResourceCache()
        try:
            parameters = inspect.signature(exporter.shutdown).parameters
        except (TypeError, ValueError):
            parameters = {}  # type: ignore[assignment]
        self._shutdown_takes_timeout = "timeout_millis" in parameters

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        redactor = self.redactor or active_redactor()
        if redactor is None:
            return self.exporter.export(spans)
        redacted = []
        for span in spans:
            try:
                redacted.append(redact_span(span, redactor, self._resources))
            except Exception as error:  # never export what could not be redacted
                _unredactable(error)
        return self.exporter.export(redacted)

    def shutdown(self, timeout_millis: float = 30_000) -> None:
        """Shut the exporter down, passing *timeout_millis* on if it takes one."""
        shutdown: Any = self.exporter.shutdown
        if self._shutdown_takes_timeout:
            shutdown(timeout_millis=timeout_millis)
        else:
            shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self.exporter.force_flush(timeout_millis)

    def __getattr__(self, name: str) -> Any:
        # Everything else is the wrapped exporter's: code that inspects an
        # exporter (its endpoint, headers, client...) sees through the wrapper.
        exporter = self.__dict__.get("exporter")
        if exporter is None:
            raise AttributeError(name)
        return getattr(exporter, name)

    def __repr__(self) -> str:
        return f"RedactingSpanExporter({self.exporter!r})"


class RedactingSpanProcessor(SpanProcessor):
    """Hand *processors* a redacted view of every ended span.

    ``on_end`` gets the redacted copy (or the span itself when nothing in it
    is secret).  ``on_start`` and ``_on_ending`` are passed the live span,
    as the SDK passes it, so that a processor can still add attributes
    there; those are redacted with the rest before ``on_end``.

    *redactor* defaults to the process's (see
    :func:`~pynector.telemetry.redaction.active_redactor`), read when each
    span ends.  If redaction itself fails, the span is dropped, with one
    warning, rather than exported with its secrets.
    """

    def __init__(self, *processors: SpanProcessor, redactor: Redactor | None = None) -> None:
        self.processors = processors
        self.redactor = redactor
        self._resources = ResourceCache()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for processor in self.processors:
            processor.on_start(span, parent_context)

    def _on_ending(self, span: Span) -> None:
        for processor in self.processors:
            on_ending = getattr(processor, "_on_ending", None)  # older SDKs have none
            if on_ending is not None:
                on_ending(span)

    def on_end(self, span: ReadableSpan) -> None:
        redactor = self.redactor or active_redactor()
        if redactor is not None:
            try:
                span = redact_span(span, redactor, self._resources)
            except Exception as error:  # never export what could not be redacted
                _unredactable(error)
                return
        for processor in self.processors:
            processor.on_end(span)

    def shutdown(self) -> None:
        for processor in self.processors:
            processor.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        results = [processor.force_flush(timeout_millis) for processor in self.processors]
        return all(results)
