"""What the console exporters print: a trace drawn as a tree, or one line per span.

Two formats, chosen by exporter name:

* ``console`` (:func:`render_trace`): each trace as an indented tree,
  parents before children, siblings and log lines in start order.  Every
  span line shows its start time, duration, status and name, then its
  attributes; a failure adds the exception and the last frames of its
  traceback.  :mod:`.console_view` decides *when* a tree is drawn.
* ``console-lines`` (:func:`format_console_span`): one self-contained line
  per span as it ends, with full ids; easy for ``grep`` and scripts.

A drawn trace (plain text; on a terminal the same with colours)::

    --- trace 4bf92f3577b34da6a3ce929d0e0e4736 ---
    12:00:01.000    41.8 ms         order  items=3
    12:00:01.002    11.6 ms           lookup-all
    12:00:01.002    11.2 ms             inventory.lookup  item='apple' stock=12
    12:00:01.013             INFO         looked up  item='apple' stock=12
    12:00:01.030     6.1 ms  ERROR    inventory.lookup  item='durian'
                                        OutOfCatalogue: durian
                                          File "app/inventory.py", line 35, in lookup
                                            raise OutOfCatalogue(item)

The columns: start time, duration (``running`` for a span still open),
status (blank while UNSET, the usual case; ``OK`` or ``ERROR``) or a log
line's level, then the name, indented two spaces per level, and
``key=value`` attributes.

This module only formats: it reads plain :class:`SpanLine` / :class:`LogLine`
values, so the test capture (:mod:`pynector.telemetry.testing`) draws its
trees with the same code.  The drawing itself (columns, indentation,
markers) is ASCII, so it survives any terminal encoding.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = [
    "ExceptionText",
    "LazyStream",
    "LogLine",
    "SpanLine",
    "format_console_span",
    "render_log_lines",
    "render_trace",
    "short_traceback",
    "use_colors",
]

#: How many of the innermost traceback frames a failure shows.
MAX_FRAMES = 3
#: Longest attribute or field value shown, in characters.
MAX_VALUE = 120

# The widths of the fixed columns: "12:00:01.000   41.8 ms  ERROR  ".
_TIME, _DURATION, _STATUS = 12, 9, 5
_MARGIN = " " * (_TIME + 2 + _DURATION + 2 + _STATUS + 2)

_LEVELS = {
    "debug": "DEBUG",
    "info": "INFO",
    "warning": "WARN",
    "warn": "WARN",
    "error": "ERROR",
    "exception": "ERROR",
    "critical": "CRIT",
    "fatal": "CRIT",
}

# ANSI styles (SGR parameters).
_DIM, _BOLD, _RED, _GREEN, _YELLOW, _BLUE, _CYAN = "2", "1", "31", "32", "33", "34", "36"
_LEVEL_STYLES = {"DEBUG": _DIM, "INFO": _BLUE, "WARN": _YELLOW, "ERROR": _RED, "CRIT": "1;31"}
_STATUS_STYLES = {"OK": _GREEN, "ERROR": "1;31"}


@dataclass
class ExceptionText:
    """An exception as OpenTelemetry records it: type, message, formatted traceback."""

    type: str
    message: str
    stacktrace: str = ""


@dataclass
class LogLine:
    """A log record or span event, drawn under the span it was made in."""

    time_ns: int
    level: str  # a level name ("info"...), or "event" for a span event
    event: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    exception: ExceptionText | None = None
    seq: int = 0  # arrival order, to break ties between equal times


@dataclass
class SpanLine:
    """One span of a drawn tree, with what is drawn under it."""

    name: str
    start_ns: int
    end_ns: int | None = None  # None: still running
    status: str = "UNSET"
    description: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    exceptions: list[ExceptionText] = field(default_factory=list)
    children: list[SpanLine] = field(default_factory=list)
    logs: list[LogLine] = field(default_factory=list)
    note: str | None = None  # why the parent is not drawn above, e.g. "remote parent ..."
    seq: int = 0


class LazyStream:
    """``sys.stdout`` or ``sys.stderr`` looked up at each write, not at creation.

    An exporter built once keeps following redirections made later
    (``contextlib.redirect_stdout``, pytest's ``capsys``).
    """

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def target(self) -> TextIO:
        stream: TextIO = getattr(sys, self.name)
        return stream

    def write(self, text: str) -> int:
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()

    def isatty(self) -> bool:
        return self.target.isatty()


def use_colors(stream: Any, choice: str = "auto") -> bool:
    """Whether to colour output for *stream*: ``always``, ``never``, or ``auto``.

    ``auto`` colours a terminal only, and never when ``NO_COLOR`` is set
    (https://no-color.org) or ``TERM=dumb``.
    """
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except Exception:  # a closed or unusual stream
        return False


class _Painter:
    __slots__ = ("colors",)

    def __init__(self, colors: bool) -> None:
        self.colors = colors

    def __call__(self, text: str, style: str | None) -> str:
        if not self.colors or not style or not text:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"


def _clock_time(time_ns: int, timezone: tzinfo | None) -> str:
    seconds, rest = divmod(time_ns, 1_000_000_000)
    moment = datetime.fromtimestamp(seconds, timezone)
    return f"{moment:%H:%M:%S}.{rest // 1_000_000:03d}"


def _duration(nanoseconds: int) -> str:
    if nanoseconds < 1_000_000:
        return f"{nanoseconds / 1_000:.0f} us"
    if nanoseconds < 1_000_000_000:
        return f"{nanoseconds / 1_000_000:.1f} ms"
    seconds = nanoseconds / 1_000_000_000
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def _value(value: Any) -> str:
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool | int | float) or value is None:
        text = str(value)
    elif isinstance(value, tuple | list):
        text = "[" + ", ".join(_value(item) for item in value) + "]"
    else:
        try:
            text = repr(value)
        except Exception:
            text = f"<{type(value).__name__}>"
    if len(text) > MAX_VALUE:
        text = text[: MAX_VALUE - 3] + "..."
    return text


def _pairs(mapping: Mapping[str, Any], paint: _Painter) -> str:
    if not mapping:
        return ""
    rendered = " ".join(
        f"{paint(str(key), _CYAN)}={_value(value)}" for key, value in mapping.items()
    )
    return "  " + rendered


def _relative(path: str) -> str:
    try:
        here = os.getcwd()
    except OSError:
        return path
    if path.startswith(here + os.sep):
        return path[len(here) + 1 :]
    return path


_PLUMBING = f"{os.sep}opentelemetry{os.sep}"
_REPEATED = re.compile(r"\s*\[Previous line repeated (\d+) more times?\]")


def short_traceback(stacktrace: str, max_frames: int = MAX_FRAMES) -> list[str]:
    """The innermost *max_frames* frames of a formatted traceback, without locals.

    Of a chained traceback only the last part counts: the exception that
    was raised.  Each frame is its ``File ...`` line and its source line;
    paths under the working directory are shown relative to it, and
    OpenTelemetry's own frames are left out.
    """
    last = stacktrace.split("Traceback (most recent call last):\n")[-1]
    frames: list[list[str]] = []
    for line in last.splitlines():
        if line.startswith("  File "):
            location = line.strip()
            path, _, rest = location[6:].partition('"')
            if _PLUMBING in path:
                frames.append([])  # OpenTelemetry's own frames explain nothing
                continue
            frames.append([f'File "{_relative(path)}"{rest}'])
        elif (repeated := _REPEATED.match(line)) is not None and frames:
            frames.extend([frames[-1]] * int(repeated.group(1)))
        elif line.startswith("    ") and frames and len(frames[-1]) == 1:
            source = line.strip()
            if source and not set(source) <= set("^~ "):  # skip 3.11's carets
                frames[-1].append("  " + source)
    frames = [frame for frame in frames if frame]
    shown = frames[-max_frames:] if max_frames > 0 else []
    lines = [f"... {len(frames) - len(shown)} earlier frames"] if len(frames) > len(shown) else []
    for frame in shown:
        lines.extend(frame)
    return lines


def _exception_lines(exception: ExceptionText, indent: str, paint: _Painter) -> list[str]:
    kind = exception.type.rsplit(".", 1)[-1] or "Exception"
    head = f"{kind}: {exception.message}" if exception.message else kind
    lines = [_MARGIN + indent + paint(head, _RED)]
    for line in short_traceback(exception.stacktrace):
        lines.append(_MARGIN + indent + "  " + paint(line, _DIM))
    return lines


class _Renderer:
    def __init__(self, paint: _Painter, timezone: tzinfo | None) -> None:
        self.paint = paint
        self.timezone = timezone
        self.lines: list[str] = []

    def row(self, time_ns: int, duration: str, status: str, status_style: str | None) -> str:
        """The fixed columns: time, duration, status or level."""
        paint = self.paint
        duration_style = _YELLOW if duration == "running" else None
        return (
            paint(_clock_time(time_ns, self.timezone), _DIM)
            + "  "
            + " " * (_DURATION - len(duration))
            + paint(duration, duration_style)
            + "  "
            + paint(status, status_style)
            + " " * (_STATUS - len(status) + 2)
        )

    def span(self, span: SpanLine, depth: int) -> None:
        paint = self.paint
        indent = "  " * depth
        if span.end_ns is None:
            duration, status = "running", ""
        else:
            duration = _duration(max(0, span.end_ns - span.start_ns))
            status = "" if span.status == "UNSET" else span.status
        note = paint(f"  ({span.note})", _DIM) if span.note else ""
        self.lines.append(
            self.row(span.start_ns, duration, status, _STATUS_STYLES.get(status))
            + indent
            + paint(span.name, _BOLD)
            + _pairs(span.attributes, paint)
            + note
        )
        inner = indent + "  "
        for exception in span.exceptions:
            self.lines.extend(_exception_lines(exception, inner, paint))
        if span.status == "ERROR" and not span.exceptions and span.description:
            self.lines.append(_MARGIN + inner + paint(span.description, _RED))
        items: list[tuple[int, int, SpanLine | LogLine]] = [
            (child.start_ns, child.seq, child) for child in span.children
        ]
        items.extend((log.time_ns, log.seq, log) for log in span.logs)
        for _, _, item in sorted(items, key=lambda entry: entry[:2]):
            if isinstance(item, SpanLine):
                self.span(item, depth + 1)
            else:
                self.log(item, depth + 1)

    def log(self, log: LogLine, depth: int) -> None:
        paint = self.paint
        indent = "  " * depth
        level = "event" if log.level == "event" else _LEVELS.get(log.level.lower(), "INFO")
        self.lines.append(
            self.row(log.time_ns, "", level, _LEVEL_STYLES.get(level))
            + indent
            + log.event
            + _pairs(log.fields, paint)
        )
        if log.exception is not None:
            self.lines.extend(_exception_lines(log.exception, indent + "  ", paint))


def render_trace(
    trace_id: str,
    roots: Sequence[SpanLine],
    *,
    colors: bool = False,
    timezone: tzinfo | None = None,
    continued: bool = False,
) -> str:
    """Draw one trace (or the part of it known so far) as text ending in a newline.

    *roots* are the spans whose parent is not drawn; *timezone* ``None``
    means local time.  *continued* marks a trace printed in several parts
    (see :mod:`.console_view`).
    """
    paint = _Painter(colors)
    running = any(_is_running(root) for root in roots)
    remarks = [
        remark for remark, on in (("continued", continued), ("still running", running)) if on
    ]
    title = f"--- trace {trace_id}" + (f" ({', '.join(remarks)})" if remarks else "") + " ---"
    renderer = _Renderer(paint, timezone)
    renderer.lines.append(paint(title, _DIM))
    for root in sorted(roots, key=lambda span: (span.start_ns, span.seq)):
        renderer.span(root, 0)
    return "\n".join(renderer.lines) + "\n"


def render_log_lines(
    logs: Sequence[LogLine], *, colors: bool = False, timezone: tzinfo | None = None
) -> str:
    """Log lines that belong to no drawn span, in the tree's columns, unindented."""
    renderer = _Renderer(_Painter(colors), timezone)
    for log in sorted(logs, key=lambda line: (line.time_ns, line.seq)):
        renderer.log(log, 0)
    return "".join(line + "\n" for line in renderer.lines)


def _is_running(span: SpanLine) -> bool:
    return span.end_ns is None or any(_is_running(child) for child in span.children)


def format_console_span(span: ReadableSpan) -> str:
    """One readable line per span: name, ids, parent, duration, status, attributes.

    The ``console-lines`` format, for output read by programs.
    """
    context = span.context
    parent = span.parent
    duration_ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
    attributes = " ".join(f"{key}={value!r}" for key, value in (span.attributes or {}).items())
    fields = [
        f"span {span.name!r}",
        f"trace_id={context.trace_id:032x}" if context else "trace_id=-",
        f"span_id={context.span_id:016x}" if context else "span_id=-",
        f"parent_id={parent.span_id:016x}" if parent else "parent_id=-",
        f"duration_ms={duration_ms:.3f}",
        f"status={span.status.status_code.name}",
    ]
    if span.status.description:
        fields.append(f"error={span.status.description!r}")
    if attributes:
        fields.append(attributes)
    return " ".join(fields) + "\n"
