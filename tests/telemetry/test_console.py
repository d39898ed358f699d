"""The ``console`` exporter draws traces as trees: exact output, fixed clock and ids."""

from __future__ import annotations

import inspect
import io
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC
from typing import Any

import pytest

from support.console import parse_tree, sequential_ids

pytestmark = pytest.mark.requires_otel

T0 = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC
MS = 1_000_000
TRACE_1 = "--- trace 00000000000000000000000000000001 ---"


class Console:
    """A tree view on a StringIO, its clock in the test's hands, ids 1, 2, 3..."""

    def __init__(self, **options: Any) -> None:
        from opentelemetry.sdk.trace import TracerProvider

        from pynector.telemetry._export.console_view import ConsoleTreeProcessor

        self.out = io.StringIO()
        self.now = T0
        options.setdefault("pending_after", 1.0)
        self.view = ConsoleTreeProcessor(
            self.out,
            colors="never",
            timezone=UTC,
            clock=lambda: self.now,
            watch=False,
            **options,
        )
        self.provider = TracerProvider(id_generator=sequential_ids())
        self.provider.add_span_processor(self.view)
        self.tracer = self.provider.get_tracer("tests.console")

    def start(self, name: str, at_ms: float, parent: Any = None, **attributes: Any) -> Any:
        from opentelemetry import trace

        context = trace.set_span_in_context(parent) if parent is not None else None
        return self.tracer.start_span(
            name, context, attributes=attributes, start_time=T0 + int(at_ms * MS)
        )

    def inside(self, span: Any) -> AbstractContextManager[Any]:
        from opentelemetry import trace

        return trace.use_span(span, end_on_exit=False)

    def log(self, span: Any, at_ms: float, level: str, event: str, **fields: Any) -> None:
        with self.inside(span):
            assert self.view.accept_log(level, event, fields, time_ns=T0 + int(at_ms * MS))

    def take(self) -> str:
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text


@pytest.fixture
def console() -> Iterator[Console]:
    view = Console()
    yield view
    view.provider.shutdown()


def lines(*rows: str) -> str:
    return "".join(row + "\n" for row in rows)


def test_a_trace_is_drawn_once_complete_parents_first_siblings_in_start_order(
    console: Console,
) -> None:
    root = console.start("order", 0, items=3)
    lookup = console.start("lookup", 10, root)
    cache = console.start("cache.get", 20, lookup, key="apple")
    refresh = console.start("refresh", 50, root)
    refresh.end(T0 + 60 * MS)  # ends before its older sibling
    cache.end(T0 + 30 * MS)
    lookup.end(T0 + 80 * MS)
    assert console.take() == ""  # nothing until the trace is complete
    root.end(T0 + 100 * MS)
    assert console.take() == lines(
        TRACE_1,
        "22:13:20.000   100.0 ms         order  items=3",
        "22:13:20.010    70.0 ms           lookup",
        "22:13:20.020    10.0 ms             cache.get  key='apple'",
        "22:13:20.050    10.0 ms           refresh",
    )


def test_status_has_its_own_column_apart_from_attributes(console: Console) -> None:
    from opentelemetry.trace import StatusCode

    root = console.start("request", 0, status=200, route="/items")
    child = console.start("check", 1, root)
    child.set_status(StatusCode.OK)
    child.end(T0 + 2 * MS)
    failed = console.start("save", 3, root, rows=[1, 2], ratio=0.5, dry=False)
    failed.set_status(StatusCode.ERROR, "disk full")
    failed.end(T0 + 4 * MS + 250_000)
    root.end(T0 + 1_500 * MS)
    assert console.take() == lines(
        TRACE_1,
        "22:13:20.000     1.50 s         request  status=200 route='/items'",
        "22:13:20.001     1.0 ms  OK       check",
        "22:13:20.003     1.2 ms  ERROR    save  rows=[1, 2] ratio=0.5 dry=False",
        "                                    disk full",
    )


def test_durations_use_a_readable_unit(console: Console) -> None:
    for index, (start_ms, end_ms) in enumerate([(0, 0.25), (0, 12.34), (0, 2_500), (0, 125_000)]):
        span = console.start(f"s{index}", start_ms)
        span.end(T0 + int(end_ms * MS))
    durations = [row.duration for row in parse_tree(console.take()) if row.kind == "span"]
    assert durations == ["250 us", "12.3 ms", "2.50 s", "2m05s"]


def _fail(depth: int) -> None:
    if depth == 0:
        raise ValueError("broken")  # the line the traceback ends at
    _fail(depth - 1)


def _here() -> str:
    path = __file__
    cwd = os.getcwd() + os.sep
    return path[len(cwd) :] if path.startswith(cwd) else path


def test_a_failed_span_shows_exception_and_its_last_frames(console: Console) -> None:
    root = console.start("import", 0)
    step = console.start("parse", 1, root)
    with pytest.raises(ValueError, match="broken"), console.inside(step):
        _fail(4)  # use_span records the exception and sets ERROR, as the facades do
    step.end(T0 + 2 * MS)
    root.end(T0 + 3 * MS)
    first = inspect.getsourcelines(_fail)[1]
    raise_line, recurse_line = first + 2, first + 3
    assert console.take() == lines(
        TRACE_1,
        "22:13:20.000     3.0 ms         import",
        "22:13:20.001     1.0 ms  ERROR    parse",
        "                                    ValueError: broken",
        "                                      ... 3 earlier frames",
        f'                                      File "{_here()}", line {recurse_line}, in _fail',
        "                                        _fail(depth - 1)",
        f'                                      File "{_here()}", line {recurse_line}, in _fail',
        "                                        _fail(depth - 1)",
        f'                                      File "{_here()}", line {raise_line}, in _fail',
        '                                        raise ValueError("broken")'
        "  # the line the traceback ends at",
    )


def test_only_the_raised_part_of_a_chained_traceback_is_shown() -> None:
    from pynector.telemetry._export.console import short_traceback

    try:
        try:
            _fail(0)
        except ValueError as cause:
            raise KeyError("lookup") from cause
    except KeyError as error:
        import traceback

        text = "".join(traceback.format_exception(error))
    shown = short_traceback(text)
    assert "_fail" not in "".join(shown)
    assert shown[-1] == '  raise KeyError("lookup") from cause'
    assert len(shown) == 2


def test_log_lines_and_events_are_nested_under_their_span_in_time_order(console: Console) -> None:
    root = console.start("fetch", 0, url="https://example.test")
    console.log(root, 1, "info", "connecting", attempt=1)
    retry = console.start("attempt", 2, root, n=2)
    console.log(retry, 3, "warning", "retrying", delay_ms=20)
    retry.add_event("backoff", {"ms": 20}, timestamp=T0 + 4 * MS)
    retry.end(T0 + 5 * MS)
    console.log(root, 6, "debug", "done")
    root.end(T0 + 7 * MS)
    assert console.take() == lines(
        TRACE_1,
        "22:13:20.000     7.0 ms         fetch  url='https://example.test'",
        "22:13:20.001             INFO     connecting  attempt=1",
        "22:13:20.002     3.0 ms           attempt  n=2",
        "22:13:20.003             WARN       retrying  delay_ms=20",
        "22:13:20.004             event      backoff  ms=20",
        "22:13:20.006             DEBUG    done",
    )


def test_a_log_line_outside_the_views_spans_is_not_taken(console: Console) -> None:
    assert not console.view.accept_log("info", "no span", {})
    span = console.start("ended", 0)
    span.end(T0 + MS)
    with console.inside(span):
        assert not console.view.accept_log("info", "too late", {})


def test_a_long_trace_is_drawn_as_far_as_it_got_then_continued(console: Console) -> None:
    job = console.start("batch", 0, rows=2)
    first = console.start("row", 100, job, i=0)
    console.log(first, 150, "info", "processing", i=0)
    first.end(T0 + 400 * MS)
    console.now = T0 + 900 * MS
    console.view.draw_pending()
    assert console.take() == ""  # open for less than pending_after
    second = console.start("row", 950, job, i=1)
    console.now = T0 + 1_000 * MS
    console.view.draw_pending()
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (still running) ---",
        "22:13:20.000    running         batch  rows=2",
        "22:13:20.100   300.0 ms           row  i=0",
        "22:13:20.150             INFO       processing  i=0",
        "22:13:20.950    running           row  i=1",
    )
    console.now = T0 + 1_500 * MS
    console.view.draw_pending()
    assert console.take() == ""  # nothing new, and drawn less than pending_after ago
    console.log(second, 1_600, "info", "processing", i=1)
    console.now = T0 + 2_000 * MS
    console.view.draw_pending()
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (continued, still running) ---",
        "22:13:20.000    running         batch  rows=2",
        "22:13:20.950    running           row  i=1",
        "22:13:21.600             INFO       processing  i=1",
    )
    second.end(T0 + 2_100 * MS)
    job.end(T0 + 2_200 * MS)
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (continued) ---",
        "22:13:20.000     2.20 s         batch  rows=2",
        "22:13:20.950     1.15 s           row  i=1",
    )


def test_a_span_open_for_long_is_announced_even_without_news(console: Console) -> None:
    job = console.start("wait", 0)
    console.now = T0 + 1_000 * MS
    console.view.draw_pending()
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (still running) ---",
        "22:13:20.000    running         wait",
    )
    console.now = T0 + 5_000 * MS
    console.view.draw_pending()
    assert console.take() == ""  # announced once
    job.end(T0 + 6_000 * MS)
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (continued) ---",
        "22:13:20.000     6.00 s         wait",
    )


def test_shutdown_draws_what_is_left_open_spans_as_running(console: Console) -> None:
    job = console.start("serve", 0)
    done = console.start("request", 1, job)
    done.end(T0 + 2 * MS)
    console.provider.shutdown()
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000001 (still running) ---",
        "22:13:20.000    running         serve",
        "22:13:20.001     1.0 ms           request",
    )
    job.end(T0 + 3 * MS)
    assert console.take() == ""  # after shutdown nothing more is written


def test_a_span_outliving_its_parent_keeps_the_path_to_it(console: Console) -> None:
    root = console.start("request", 0)
    task = console.start("background", 1, root)
    root.end(T0 + 2 * MS)
    assert console.take() == ""  # the trace still has an open span
    task.end(T0 + 9 * MS)
    assert console.take() == lines(
        TRACE_1,
        "22:13:20.000     2.0 ms         request",
        "22:13:20.001     8.0 ms           background",
    )


def test_remote_parent_and_unknown_parent_are_noted(console: Console) -> None:
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    remote = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=TraceFlags(1))
    server = console.tracer.start_span(
        "handle",
        trace.set_span_in_context(NonRecordingSpan(remote)),
        start_time=T0,
    )
    server.end(T0 + MS)
    assert console.take() == lines(
        "--- trace 00000000000000000000000000000abc ---",
        "22:13:20.000     1.0 ms         handle  (remote parent 0000000000000def)",
    )


def test_concurrent_traces_never_interleave() -> None:
    out = io.StringIO()
    from opentelemetry.sdk.trace import TracerProvider

    from pynector.telemetry._export.console_view import ConsoleTreeProcessor

    provider = TracerProvider()
    provider.add_span_processor(ConsoleTreeProcessor(out, colors="never", watch=False))
    tracer = provider.get_tracer("tests.console")
    ready = threading.Barrier(8)

    def work(worker: int) -> None:
        ready.wait()
        for _ in range(20):
            with tracer.start_as_current_span("request", attributes={"worker": worker}):
                for step in range(3):
                    with tracer.start_as_current_span("step", attributes={"worker": worker}):
                        threading.Event().wait(0.0001 * step)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    provider.shutdown()
    blocks = out.getvalue().split("--- trace ")[1:]
    assert len(blocks) == 8 * 20
    for block in blocks:
        header, *rows = block.splitlines()
        assert header.endswith(" ---")
        assert "running" not in header
        assert [row.split()[3] for row in rows] == ["request", "step", "step", "step"]
        assert len({row.split("worker=")[1] for row in rows}) == 1, block


def test_a_trace_too_big_to_buffer_is_drawn_in_parts() -> None:
    console = Console(max_buffered=3)
    root = console.start("load", 0)
    for index in range(7):
        console.start("item", index + 1, root).end(T0 + (index + 1) * MS + 500_000)
    parts = console.take().split("--- trace ")[1:]
    assert len(parts) == 2  # after items 3 and 6
    assert all(part.count("item") == 3 for part in parts)
    root.end(T0 + 10 * MS)
    assert console.take().count("item") == 1
    console.provider.shutdown()


def test_running_spans_show_their_attributes_redacted(console: Console) -> None:
    from pynector.telemetry.redaction import Redactor, set_active_redactor

    set_active_redactor(Redactor())  # reset by the suite's hermetic fixture
    job = console.start("login", 0, user="ann", password="hunter2")
    console.now = T0 + 1_000 * MS
    console.view.draw_pending()
    drawn = console.take()
    assert "hunter2" not in drawn
    assert "user='ann' password='[REDACTED]'" in drawn
    job.end(T0 + 1_001 * MS)


def test_a_stream_that_fails_costs_one_warning() -> None:
    from pynector.telemetry import TelemetryWarning

    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("disk full")

    console = Console()
    console.view.stream = Broken()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for index in range(3):
            console.start("s", index).end(T0 + (index + 1) * MS)
    assert [warning.category for warning in caught] == [TelemetryWarning]
    assert "console exporter could not write (OSError('disk full'))" in str(caught[0].message)
    console.provider.shutdown()


def test_a_stream_that_logs_neither_feeds_the_tree_nor_deadlocks() -> None:
    console = Console()
    other = console.start("other", 0)  # a span of the view, current while the stream writes
    taken = []

    class LoggingStream(io.StringIO):
        def write(self, text: str) -> int:
            with console.inside(other):
                taken.append(console.view.accept_log("info", "written", {}))
            return super().write(text)

    console.view.stream = LoggingStream()
    console.start("s", 1).end(T0 + 2 * MS)
    assert taken == [False]
    assert "s" in console.view.stream.getvalue()
    console.provider.shutdown()


def test_the_pending_thread_shows_a_long_span_before_it_ends() -> None:
    from opentelemetry.sdk.trace import TracerProvider

    from pynector.telemetry._export.console_view import ConsoleTreeProcessor

    out = io.StringIO()
    provider = TracerProvider()
    provider.add_span_processor(ConsoleTreeProcessor(out, colors="never", pending_after=0.05))
    tracer = provider.get_tracer("tests.console")
    seen = threading.Event()
    with tracer.start_as_current_span("long"):
        for _ in range(1000):  # poll for the state, up to 10 s
            if "running" in out.getvalue():
                seen.set()
                break
            threading.Event().wait(0.01)
    provider.shutdown()
    assert seen.is_set()
    first, last = out.getvalue().split("--- trace ")[1:]
    assert "(still running)" in first
    assert " long" in first
    assert "(continued)" in last
    assert "running" not in last


FORKING_APP = """
import os
from opentelemetry import trace
from pynector.telemetry import configure_telemetry, get_telemetry

configure_telemetry(trace_exporters=["console"])
tracer, _ = get_telemetry("app")
with tracer.start_as_current_span("parent-work"):
    pid = os.fork()
    if pid == 0:
        with tracer.start_as_current_span("child-work"):
            pass
        trace.get_tracer_provider().shutdown()  # draws what is left: nothing of the parent
        os._exit(0)
    os.waitpid(pid, 0)
"""


def test_a_forked_child_draws_only_its_own_spans() -> None:
    from support.processes import run_python

    result = run_python(FORKING_APP)
    assert result.returncode == 0, result.stderr
    child, parent = (parse_tree(block) for block in result.stderr.split("--- trace ")[1:])
    assert [row.text.split("  (")[0] for row in child if row.kind == "span"] == ["child-work"]
    assert "(parent " in child[1].text
    assert [row.text for row in parent if row.kind == "span"] == ["parent-work"]


def test_the_one_line_format_chosen_by_name_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import StatusCode

    from pynector.telemetry._export.settings import resolve_settings
    from pynector.telemetry._export.span_processors import build_span_processors

    ((name, processor),) = build_span_processors(resolve_settings(exporters=["console-lines"]))
    provider = TracerProvider(id_generator=sequential_ids())
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("tests.console")
    root = tracer.start_span("order", attributes={"items": 2}, start_time=T0)
    child = tracer.start_span("lookup", trace.set_span_in_context(root), start_time=T0 + MS)
    child.set_status(StatusCode.ERROR, "OutOfCatalogue: durian")
    child.end(T0 + 3 * MS + 500_000)
    root.end(T0 + 4 * MS)
    provider.shutdown()
    assert name == "console-lines"
    assert capsys.readouterr() == (
        "",
        lines(
            "span 'lookup' trace_id=00000000000000000000000000000001 span_id=0000000000000002"
            " parent_id=0000000000000001 duration_ms=2.500 status=ERROR"
            " error='OutOfCatalogue: durian'",
            "span 'order' trace_id=00000000000000000000000000000001 span_id=0000000000000001"
            " parent_id=- duration_ms=4.000 status=UNSET items=2",
        ),
    )
