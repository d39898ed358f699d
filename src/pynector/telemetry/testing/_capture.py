"""What one capture holds, and how a test reads it.

:class:`TelemetryCapture` records raw spans and log records as they come
(from :mod:`._spans` and :mod:`._logs`) and turns them into plain dicts
when the test reads them, so the same records can be shown with real or
with deterministic ids and times.  Metrics are aggregated by the
capture's own metric reader (:mod:`._metrics`) and collected when the
test reads them; they carry no ids or times.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._metrics import MetricTap

__all__ = ["CapturedList", "TelemetryCapture", "capture_telemetry"]

_SECOND = 1_000_000_000


class CapturedList(list[dict[str, Any]]):
    """A list of captured records that, when empty, says why in its repr.

    So ``assert capture.spans`` fails with the reason nothing was captured
    (OpenTelemetry missing, say) instead of a bare ``[]``.
    """

    reason: str | None = None

    def __repr__(self) -> str:
        if not self and self.reason:
            return f"[]  (nothing captured: {self.reason})"
        return super().__repr__()


@dataclass
class _SpanRecord:
    seq: int
    live: Any  # the SDK span while it is open
    ended: Any = None  # the ReadableSpan once it has ended


@dataclass
class _LogRecord:
    seq: int
    time_ns: int
    level: str
    event: str
    logger: str | None
    fields: dict[str, Any]
    trace_id: int | None
    span_id: int | None
    exception: str | None = None


@dataclass
class _Mapping:
    """Real ids and times -> what the test sees (identity, or deterministic)."""

    deterministic: bool
    trace_ids: dict[int, int] = field(default_factory=dict)
    span_ids: dict[int, int] = field(default_factory=dict)
    times: dict[int, int] = field(default_factory=dict)

    def trace(self, value: int | None) -> str | None:
        if not value:
            return None
        if self.deterministic:
            value = self.trace_ids.setdefault(value, len(self.trace_ids) + 1)
        return format(value, "032x")

    def span(self, value: int | None) -> str | None:
        if not value:
            return None
        if self.deterministic:
            value = self.span_ids.setdefault(value, len(self.span_ids) + 1)
        return format(value, "016x")

    def time(self, value: int | None) -> int | None:
        if value is None or not self.deterministic:
            return value
        return self.times.get(value, value)


def _span_dict(record: _SpanRecord, ids: _Mapping) -> dict[str, Any]:
    span = record.ended if record.ended is not None else record.live
    context = span.context
    parent = span.parent
    scope = span.instrumentation_scope
    return {
        "name": span.name,
        "trace_id": ids.trace(context.trace_id),
        "span_id": ids.span(context.span_id),
        "parent_id": ids.span(parent.span_id) if parent is not None else None,
        "attributes": dict(span.attributes or {}),
        "status": span.status.status_code.name,
        "status_description": span.status.description,
        "events": [
            {
                "name": event.name,
                "attributes": dict(event.attributes or {}),
                "timestamp": ids.time(event.timestamp),
            }
            for event in span.events
        ],
        "start": ids.time(span.start_time),
        "end": ids.time(span.end_time) if record.ended is not None else None,
        "kind": span.kind.name,
        "scope": scope.name if scope is not None else None,
    }


def _log_dict(record: _LogRecord, ids: _Mapping) -> dict[str, Any]:
    return {
        "event": record.event,
        "level": record.level,
        "logger": record.logger,
        "fields": dict(record.fields),
        "trace_id": ids.trace(record.trace_id),
        "span_id": ids.span(record.span_id),
        "timestamp": ids.time(record.time_ns),
        "exception": record.exception,
    }


class TelemetryCapture:
    """The spans, log records and measurements made while a capture is active.

    Read them as plain dicts:

    * :attr:`spans`, in start order: ``name``, ``trace_id``, ``span_id``,
      ``parent_id`` (W3C hex; ``None`` for a root), ``attributes``,
      ``status`` (``"UNSET"``, ``"OK"`` or ``"ERROR"``),
      ``status_description``, ``events``, ``start``/``end`` (ns since the
      epoch; ``end`` is ``None`` while the span is open), ``kind``,
      ``scope`` (the tracer's name);
    * :attr:`logs`, in order: ``event``, ``level``, ``logger``, ``fields``,
      ``trace_id``/``span_id`` of the span they were made in (or ``None``),
      ``timestamp``, ``exception`` (``"Type: message"`` or ``None``);
    * :attr:`metrics`, one per instrument and attribute set, sorted by
      name: ``name``, ``kind`` (``"counter"``, ``"up_down_counter"``,
      ``"histogram"``, ``"gauge"``, ``"observable_counter"``,
      ``"observable_up_down_counter"``, ``"observable_gauge"``), ``unit``,
      ``description``, ``scope`` (the meter's name), ``attributes``, and
      ``value`` (counters and up-down counters: the total recorded during
      the capture; gauges: the last value set; observable instruments: the
      last value their callbacks reported) or, for histograms, ``count``,
      ``sum``, ``min``, ``max`` and ``buckets`` (upper bound -> count; the
      last bound is ``math.inf``).

    With :attr:`deterministic` true, ids are 1, 2, 3... in order of first
    appearance and times are 1 s, 2 s, 3 s... in the order they happened,
    so a snapshot of a capture is the same on every run (metric points
    carry neither ids nor times).
    """

    def __init__(self, *, deterministic: bool = False) -> None:
        self.deterministic = deterministic
        #: Why spans cannot be captured here, or ``None`` when they can.
        self.spans_unavailable: str | None = None
        #: Why pynector's log calls cannot be captured here, or ``None``.
        self.logs_unavailable: str | None = None
        #: Why measurements cannot be captured here, or ``None`` when they can.
        self.metrics_unavailable: str | None = None
        self._metric_tap: MetricTap | None = None  # while the capture is active
        self._final_metrics: list[dict[str, Any]] = []  # its last collection, once ended
        self._lock = threading.Lock()
        self._seq = 0
        self._spans: dict[int, _SpanRecord] = {}
        self._logs: list[_LogRecord] = []

    # --- recording (called by the span and log taps) ------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def span_started(self, span: Any) -> None:
        with self._lock:
            self._spans[span.context.span_id] = _SpanRecord(self._next_seq(), span)

    def span_ended(self, span: Any) -> None:
        with self._lock:
            record = self._spans.get(span.context.span_id)
            if record is not None:  # spans started before the capture are not its own
                record.ended = span
                record.live = None

    def log(
        self,
        level: str,
        event: str,
        logger: str | None,
        fields: Mapping[str, Any],
        exception: str | None = None,
    ) -> None:
        trace_id, span_id = _current_span_ids()
        with self._lock:
            self._logs.append(
                _LogRecord(
                    self._next_seq(),
                    time.time_ns(),
                    level,
                    event,
                    logger,
                    dict(fields),
                    trace_id,
                    span_id,
                    exception,
                )
            )

    def _read_metrics_from(self, tap: MetricTap | None) -> None:
        """Collect metrics from *tap* from now on; ``None``: keep the last collection."""
        if tap is None and self._metric_tap is not None:
            self._final_metrics = self._metric_tap.collect()
        self._metric_tap = tap

    def clear(self) -> None:
        """Forget everything captured so far."""
        with self._lock:
            self._spans.clear()
            self._logs.clear()
            self._final_metrics = []
        if self._metric_tap is not None:
            self._metric_tap.restart()

    # --- reading -----------------------------------------------------------
    def _snapshot(self) -> tuple[CapturedList, CapturedList]:
        with self._lock:
            spans = sorted(self._spans.values(), key=lambda record: record.seq)
            logs = list(self._logs)
        ids = _Mapping(self.deterministic)
        if self.deterministic:
            _assign_deterministic(ids, spans, logs)
        span_dicts = CapturedList(_span_dict(record, ids) for record in spans)
        log_dicts = CapturedList(_log_dict(record, ids) for record in logs)
        span_dicts.reason = self.spans_unavailable
        log_dicts.reason = self.logs_unavailable
        return span_dicts, log_dicts

    @property
    def spans(self) -> CapturedList:
        """The captured spans, in start order (see the class docstring)."""
        spans, _ = self._snapshot()
        return spans

    @property
    def logs(self) -> CapturedList:
        """The captured log records, in the order they were made."""
        _, logs = self._snapshot()
        return logs

    @property
    def metrics(self) -> CapturedList:
        """The captured metric data points (see the class docstring).

        While the capture is active each read collects afresh, running
        observable instruments' callbacks; once it has ended, the last
        collection (made as it ended) is returned.
        """
        points = CapturedList(self._metric_points())
        points.reason = self.metrics_unavailable
        return points

    def _metric_points(self) -> list[dict[str, Any]]:
        tap = self._metric_tap
        if tap is not None:
            return tap.collect()
        return copy.deepcopy(self._final_metrics)

    def find_metrics(self, name: str | None = None, **attributes: Any) -> list[dict[str, Any]]:
        """The metric points named *name* (any if ``None``) with *attributes* among theirs."""
        return _matching(self._metric_points(), name, attributes)

    def metric(self, name: str, **attributes: Any) -> dict[str, Any]:
        """The one metric point named *name* whose attributes include *attributes*.

        Zero or several: an AssertionError that lists what was captured.
        """
        points = self._metric_points()
        found = _matching(points, name, attributes)
        return _the_one(found, "metric point", name, attributes, lambda: self._describe(points))

    def format_metrics(self) -> str:
        """The captured metric points, one line each, as the ``console`` metric exporter writes."""
        return _metric_lines(self._metric_points())

    def find_all(self, name: str | None = None, **attributes: Any) -> list[dict[str, Any]]:
        """The spans named *name* (any name if ``None``) whose attributes include *attributes*."""
        return _matching(self.spans, name, attributes)

    def find(self, name: str, **attributes: Any) -> dict[str, Any]:
        """The one span named *name* with *attributes*.

        Zero or several: an AssertionError that shows the captured tree.
        """
        return _the_one(self.find_all(name, **attributes), "span", name, attributes, self.describe)

    def find_log(self, event: str, **fields: Any) -> dict[str, Any]:
        """The one log record *event* with *fields*.

        Zero or several: an AssertionError that shows the captured tree.
        """
        found = [
            log
            for log in self.logs
            if log["event"] == event
            and all(key in log["fields"] and log["fields"][key] == v for key, v in fields.items())
        ]
        return _the_one(found, "log", event, fields, self.describe)

    def logs_in(self, span: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The log records made while *span* (a dict from :attr:`spans`) was current."""
        return [log for log in self.logs if log["span_id"] == span["span_id"]]

    def span_tree(self) -> list[dict[str, Any]]:
        """The spans as nested dicts, roots first, children in start order.

        Each node: ``name``, ``attributes``, ``status``, ``logs`` (the events
        logged inside it) and ``children``; compact enough to compare with
        ``==`` in a test.
        """
        spans, logs = self._snapshot()
        nodes = {
            span["span_id"]: {
                "name": span["name"],
                "attributes": span["attributes"],
                "status": span["status"],
                "logs": [log["event"] for log in logs if log["span_id"] == span["span_id"]],
                "children": [],
            }
            for span in spans
        }
        roots = []
        for span in spans:
            parent = nodes.get(span["parent_id"])
            if parent is None:
                roots.append(nodes[span["span_id"]])
            else:
                parent["children"].append(nodes[span["span_id"]])
        return roots

    def format_tree(self) -> str:
        """The captured traces drawn as the ``console`` exporter draws them (plain, UTC)."""
        spans, logs = self._snapshot()
        from ._drawing import draw

        return draw(spans, logs, UTC)

    def describe(self) -> str:
        """What was captured, for an assertion message: the tree and the metrics, or why not."""
        return self._describe(self._metric_points())

    def _describe(self, metric_points: list[dict[str, Any]]) -> str:
        text = self.format_tree()
        if metric_points:
            text += "--- metrics ---\n" + _metric_lines(metric_points)
        if self.spans_unavailable:
            text += f"(no spans captured: {self.spans_unavailable})\n"
        if self.logs_unavailable:
            text += f"(pynector's log calls not captured: {self.logs_unavailable})\n"
        if self.metrics_unavailable:
            text += f"(no metrics captured: {self.metrics_unavailable})\n"
        return text or "(nothing was captured)\n"


def _matching(
    items: list[dict[str, Any]], name: str | None, attributes: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The *items* (spans or metric points) named *name* whose attributes include *attributes*."""
    return [
        item
        for item in items
        if (name is None or item["name"] == name)
        and all(
            key in item["attributes"] and item["attributes"][key] == value
            for key, value in attributes.items()
        )
    ]


def _the_one(
    found: list[dict[str, Any]],
    kind: str,
    name: str,
    wanted: Mapping[str, Any],
    describe: Callable[[], str],
) -> dict[str, Any]:
    """The only item *found*; else an AssertionError saying what was looked for and captured."""
    if len(found) == 1:
        return found[0]
    looked_for = f"{kind} {name!r}" + (f" with {wanted}" if wanted else "")
    raise AssertionError(f"expected exactly one {looked_for}, found {len(found)}\n\n{describe()}")


def _metric_lines(points: list[dict[str, Any]]) -> str:
    from .._export.metric_console import metric_line

    return "".join(
        metric_line(point["name"], point["unit"], point["attributes"], point) for point in points
    )


def _current_span_ids() -> tuple[int | None, int | None]:
    import sys

    otel_trace = sys.modules.get("opentelemetry.trace")
    if otel_trace is None:
        return None, None
    context = otel_trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return context.trace_id, context.span_id


def _assign_deterministic(ids: _Mapping, spans: list[_SpanRecord], logs: list[_LogRecord]) -> None:
    """Number ids by first appearance and times by rank, in the order things happened."""
    times: set[int] = set()
    happenings: list[tuple[int, Any]] = [(record.seq, record) for record in spans]
    happenings.extend((record.seq, record) for record in logs)
    for _, record in sorted(happenings, key=lambda entry: entry[0]):
        if isinstance(record, _LogRecord):
            ids.trace(record.trace_id)
            ids.span(record.span_id)
            times.add(record.time_ns)
            continue
        span = record.ended if record.ended is not None else record.live
        ids.trace(span.context.trace_id)
        if span.parent is not None:
            ids.span(span.parent.span_id)
        ids.span(span.context.span_id)
        times.add(span.start_time)
        if record.ended is not None:
            times.add(span.end_time)
        times.update(event.timestamp for event in span.events)
    ids.times.update({real: (rank + 1) * _SECOND for rank, real in enumerate(sorted(times))})


@contextmanager
def capture_telemetry(
    *, deterministic: bool = False, stdlib: bool = True
) -> Iterator[TelemetryCapture]:
    """Capture the spans, log records and measurements made inside the ``with`` block.

    Works whether or not a tracer provider was set earlier in the process:
    with none, a test provider is installed once (it records only while a
    capture is active); with the OpenTelemetry SDK's provider set by the
    application, a span processor is added to it once.  Log calls made
    through pynector (and structlog) are captured by a processor added to
    structlog for the duration; standard library records reaching the root
    logger are captured too unless *stdlib* is false.

    Measurements are aggregated by a metric reader the capture adds to the
    global meter provider for the duration (installing a test provider
    first if none is set), so they start from zero whatever was recorded
    before; instruments made earlier, at import time, included.

    Without OpenTelemetry (or structlog) nothing of that kind is captured,
    and the capture says why (:attr:`TelemetryCapture.spans_unavailable`,
    :attr:`~TelemetryCapture.metrics_unavailable`).
    """
    from ._logs import log_taps
    from ._metrics import metric_tap
    from ._spans import span_tap

    capture = TelemetryCapture(deterministic=deterministic)
    with span_tap(capture), metric_tap(capture), log_taps(capture, stdlib=stdlib):
        yield capture
