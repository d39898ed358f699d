"""The ``console`` exporter: traces drawn as trees, when they are complete.

:class:`ConsoleTreeProcessor` is a span processor that keeps each trace's
spans, and the log lines made inside them, until the trace's last span in
this process ends, then draws the whole trace at once with
:func:`~.console.render_trace`.

Why buffer per trace rather than print each span as it starts (as
logfire's console does):

* a tree needs the end of a span: its duration, status and failure are
  what one debugs with, and they belong on the span's own line, not on a
  second line far below;
* concurrent traces (requests, tasks) then never interleave: each is
  written as one block, in one ``write`` call;
* log lines land under the span they were made in, in time order with its
  child spans.

Long-running spans are not hidden until they end: once a trace has been
open for ``pending_after`` seconds (default 1), a background thread draws
what is known so far, the open spans marked ``running``, and from then on,
at most once per ``pending_after``, what finished since, under the path of
spans that leads to it.  A short request is one block; a ten-minute batch
job shows up within a second and keeps showing progress.  At exit
(``shutdown``) whatever is left is drawn, open spans as ``running``.

Log lines reach the view through :meth:`ConsoleTreeProcessor.accept_log`,
which :mod:`pynector.telemetry._logs.console_logs` calls from structlog's
pipeline and from standard library log records; a line is accepted only
when the current span is one the view holds.

Output goes to stderr by default, so stdout stays the program's; colours
are used on a terminal only, never with ``NO_COLOR`` (see
:func:`~.console.use_colors`).  Writing never raises into the program: a
failure costs one warning.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any, TextIO

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from .._warnings import warn_once
from ..redaction import active_redactor
from .console import ExceptionText, LazyStream, LogLine, SpanLine, render_trace, use_colors

__all__ = ["ConsoleTreeProcessor"]

#: Spans and log lines one trace may buffer before what is finished is drawn.
MAX_BUFFERED = 1000


class _Node:
    """A span the view holds: the line it becomes, plus its bookkeeping."""

    __slots__ = ("announced", "children", "line", "live", "span_id", "trace")

    def __init__(self, span_id: int, trace: _Trace, line: SpanLine, live: Span | None) -> None:
        self.span_id = span_id
        self.trace = trace
        self.line = line
        self.live = live  # the open span, read when drawn before it ends
        self.children: list[_Node] = []
        self.announced = False  # drawn (as running or finished) at least once


class _Trace:
    __slots__ = (
        "blocks",
        "dirty",
        "first_start",
        "last_block",
        "open",
        "roots",
        "size",
        "trace_id",
    )

    def __init__(self, trace_id: int, first_start: int) -> None:
        self.trace_id = trace_id
        self.roots: list[_Node] = []
        self.open: dict[int, _Node] = {}
        self.first_start = first_start
        self.dirty = False  # something finished or was logged since the last block
        self.size = 0  # finished spans and log lines buffered
        self.blocks = 0  # blocks written so far
        self.last_block = 0  # clock time of the last block


def _exceptions(span: ReadableSpan) -> list[ExceptionText]:
    found: list[ExceptionText] = []
    for event in span.events:
        if event.name != "exception":
            continue
        attributes: Mapping[str, Any] = event.attributes or {}
        exception = ExceptionText(
            str(attributes.get("exception.type", "")),
            str(attributes.get("exception.message", "")),
            str(attributes.get("exception.stacktrace", "")),
        )
        if exception not in found:  # recorded twice on the way out: shown once
            found.append(exception)
    return found


def _events(span: ReadableSpan, seq: int) -> list[LogLine]:
    return [
        LogLine(event.timestamp, "event", event.name, dict(event.attributes or {}), seq=seq)
        for event in span.events
        if event.name != "exception"
    ]


def _redacted(attributes: Mapping[str, Any]) -> Mapping[str, Any]:
    redactor = active_redactor()
    return attributes if redactor is None else redactor.redact(attributes)


def _redacted_text(text: str) -> str:
    redactor = active_redactor()
    return text if redactor is None else redactor.redact_text(text)


def _watch(view_ref: weakref.ReferenceType[ConsoleTreeProcessor], stop: threading.Event) -> None:
    """The pending-span thread: draws long-running traces until told to stop."""
    view = view_ref()
    interval = 0.25 if view is None else view.check_interval
    del view
    while not stop.wait(interval):
        view = view_ref()
        if view is None:
            return
        view.draw_pending()
        del view


class ConsoleTreeProcessor(SpanProcessor):
    """Draws each trace as a tree on the console once its spans have ended.

    Args:
        stream: ``"stderr"`` or ``"stdout"`` (looked up at each write, so
            redirections apply), or any text stream.
        colors: ``"auto"`` (a terminal, without ``NO_COLOR``), ``"always"``
            or ``"never"``.
        pending_after: seconds after which a trace still open is drawn as
            far as it got; ``None`` only at shutdown.
        timezone: for the times shown; ``None`` is local time.
        clock: nanoseconds since the epoch, for log lines and for deciding
            what is pending (tests pass a fixed one).
        watch: run the pending thread (tests call :meth:`draw_pending`
            themselves instead).
    """

    def __init__(
        self,
        stream: str | TextIO = "stderr",
        *,
        colors: str = "auto",
        pending_after: float | None = 1.0,
        timezone: tzinfo | None = None,
        clock: Callable[[], int] = time.time_ns,
        max_buffered: int = MAX_BUFFERED,
        watch: bool = True,
    ) -> None:
        self.stream: Any = LazyStream(stream) if isinstance(stream, str) else stream
        self.colors = colors
        self.pending_after = pending_after
        self.timezone = timezone
        self.clock = clock
        self.max_buffered = max_buffered
        self.watch = watch
        self.check_interval = min(1.0, max(0.05, (pending_after or 1.0) / 4))
        # Re-entrant, and log lines made while writing are not taken: a stream
        # that logs (sys.stderr redirected to a logger) must not deadlock or loop.
        self._lock = threading.RLock()
        self._writer: int | None = None
        self._nodes: dict[int, _Node] = {}
        self._traces: dict[int, _Trace] = {}
        self._seq = 0
        self._closed = False
        self._watcher_pid: int | None = None
        self._stop = threading.Event()
        view_ref = weakref.ref(self)

        def after_fork_in_child() -> None:
            view = view_ref()
            if view is not None:
                view._forget_parent_process()

        os.register_at_fork(after_in_child=after_fork_in_child)

    # --- span processor -------------------------------------------------
    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        if self._closed:
            return
        with self._lock:
            self._start_watcher()
            self._add(span, span)

    def on_end(self, span: ReadableSpan) -> None:
        context = span.context
        if self._closed or context is None:
            return
        with self._lock:
            node = self._nodes.get(context.span_id)
            if node is None or node.line.end_ns is not None:
                # Started before this view existed, or before a fork: drawn on its own.
                node = self._add(span, None)
                if node is None:
                    return
            trace = node.trace
            line = node.line
            line.name = span.name
            line.end_ns = span.end_time or self.clock()
            line.status = span.status.status_code.name
            line.description = span.status.description
            line.attributes = dict(span.attributes or {})
            line.exceptions = _exceptions(span)
            line.logs.extend(_events(span, line.seq))
            node.live = None
            trace.open.pop(context.span_id, None)
            trace.dirty = True
            trace.size += 1
            if not trace.open or trace.size >= self.max_buffered:
                self._write(self._draw([trace]))

    def _add(self, span: ReadableSpan, live: Span | None) -> _Node | None:
        """Hold a new span, under its parent when the view holds that.  Lock held."""
        context = span.context
        if context is None:
            return None
        start = span.start_time or self.clock()
        trace = self._traces.get(context.trace_id)
        if trace is None:
            trace = self._traces[context.trace_id] = _Trace(context.trace_id, start)
        line = SpanLine(span.name, start, seq=self._next_seq())
        node = _Node(context.span_id, trace, line, live)
        parent = span.parent
        parent_node = None
        if parent is not None and not parent.is_remote:
            parent_node = self._nodes.get(parent.span_id)
        if parent_node is not None and parent_node.trace is trace:
            parent_node.children.append(node)
        else:
            trace.roots.append(node)
            if parent is not None:
                kind = "remote parent" if parent.is_remote else "parent"
                line.note = f"{kind} {parent.span_id:016x}"
        trace.open[context.span_id] = node
        self._nodes[context.span_id] = node
        return node

    def shutdown(self) -> None:
        """Stop the pending thread and draw whatever is left, open spans as running."""
        self._stop.set()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._write(self._draw([t for t in self._traces.values() if t.roots]))

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Nothing to do: every complete trace has been written already.

        Traces still open are drawn when they end, by the pending thread,
        or at shutdown; flushing them here would split them at every flush.
        """
        return True

    # --- log lines --------------------------------------------------------
    def accept_log(
        self,
        level: str,
        event: str,
        fields: Mapping[str, Any],
        exception: tuple[str, str, str] | None = None,
        time_ns: int | None = None,
    ) -> bool:
        """Put a log line under the current span; ``False`` if the view does not hold it.

        *exception* is ``(type, message, formatted traceback)``.  The caller
        writes the line the usual way when it is not accepted.
        """
        otel_trace = sys.modules.get("opentelemetry.trace")
        if otel_trace is None or self._closed or self._writer == threading.get_ident():
            return False
        context = otel_trace.get_current_span().get_span_context()
        with self._lock:
            node = self._nodes.get(context.span_id)
            if node is None or node.line.end_ns is not None:
                return False
            if node.trace.trace_id != context.trace_id:
                return False
            when = self.clock() if time_ns is None else time_ns
            # Standard library records reach here as they were made: redacted here.
            event, fields = _redacted_text(event), _redacted(fields)
            error = None if exception is None else ExceptionText(*map(_redacted_text, exception))
            node.line.logs.append(
                LogLine(when, level, event, dict(fields), error, self._next_seq())
            )
            trace = node.trace
            trace.dirty = True
            trace.size += 1
            if trace.size >= self.max_buffered:
                self._write(self._draw([trace]))
        return True

    # --- drawing ----------------------------------------------------------
    def draw_pending(self, now_ns: int | None = None) -> None:
        """Draw the traces open for longer than ``pending_after`` that have news.

        News is a span open that long and never drawn, or something that
        finished or was logged since the trace was last drawn (at most once
        per ``pending_after``).  The pending thread calls this; tests call
        it with a fixed time.
        """
        if self.pending_after is None:
            return
        now = self.clock() if now_ns is None else now_ns
        threshold = now - int(self.pending_after * 1_000_000_000)
        with self._lock:
            if self._closed:
                return
            due = []
            for trace in self._traces.values():
                if not trace.open or trace.first_start > threshold:
                    continue
                unannounced = any(
                    not node.announced and node.line.start_ns <= threshold
                    for node in trace.open.values()
                )
                if unannounced or (trace.dirty and trace.last_block <= threshold):
                    due.append(trace)
            if due:
                self._write(self._draw(due, now))

    def _draw(self, traces: list[_Trace], now_ns: int | None = None) -> str:
        """Render *traces* as they are, then forget what need not be drawn again.

        Kept: open spans, and the finished spans above them (the path a
        later block is drawn under).  Called with the lock held.
        """
        colors = use_colors(self.stream, self.colors)
        now = self.clock() if now_ns is None else now_ns
        blocks = []
        for trace in traces:
            blocks.append(
                render_trace(
                    f"{trace.trace_id:032x}",
                    [self._lines(node) for node in trace.roots],
                    colors=colors,
                    timezone=self.timezone,
                    continued=trace.blocks > 0,
                )
            )
            trace.blocks += 1
            trace.last_block = now
            trace.dirty = False
            trace.size = 0
            trace.roots = [node for node in trace.roots if self._prune(node)]
            if not trace.roots:
                self._traces.pop(trace.trace_id, None)
        return "".join(blocks)

    def _lines(self, node: _Node) -> SpanLine:
        """*node*'s line with its children's lines under it, open spans up to date."""
        line = node.line
        if node.live is not None:
            self._refresh_open(node)
        line.children = [self._lines(child) for child in node.children]
        return line

    def _prune(self, node: _Node) -> bool:
        """Drop what was drawn under *node*; whether *node* itself must be kept."""
        node.line.logs.clear()
        node.children = [child for child in node.children if self._prune(child)]
        node.announced = True
        if node.line.end_ns is None or node.children:
            return True
        self._nodes.pop(node.span_id, None)
        return False

    def _refresh_open(self, node: _Node) -> None:
        """Take an open span's current name and attributes (redacted) for drawing."""
        live = node.live
        if live is None:
            return
        try:
            node.line.name = _redacted_text(live.name)
            node.line.attributes = _redacted(dict(live.attributes or {}))
        except Exception:  # attributes changing under us: draw what we had
            pass

    def _write(self, text: str) -> None:
        if not text:
            return
        self._writer = threading.get_ident()
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception as error:
            warn_once(
                "console-write-failed",
                f"The console exporter could not write ({error!r}); "
                "spans are still exported elsewhere. This warning is shown once.",
            )
        finally:
            self._writer = None

    # --- bookkeeping ------------------------------------------------------
    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _start_watcher(self) -> None:
        """Start the pending thread on the first span (again in a forked child)."""
        if not self.watch or self.pending_after is None or self._watcher_pid == os.getpid():
            return
        self._watcher_pid = os.getpid()
        thread = threading.Thread(
            target=_watch,
            args=(weakref.ref(self), self._stop),
            name="pynector-console-pending",
            daemon=True,
        )
        thread.start()

    def _forget_parent_process(self) -> None:
        """In a forked child: fresh lock, no pending thread, none of the parent's spans."""
        self._lock = threading.RLock()
        self._writer = None
        self._nodes = {}
        self._traces = {}
        self._watcher_pid = None
