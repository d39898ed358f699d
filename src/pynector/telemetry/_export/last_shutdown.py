"""Shut the exports down as late as the process allows, so that exit hooks are exported too.

``atexit`` runs hooks last-registered first.  A provider's own exit hook
(the SDK registers one as the provider is made, inside
``configure_telemetry``) therefore runs *before* every hook registered
earlier: a library that closes its pool on exit, and traces, logs or
counts it, would find the export shut down and its telemetry dropped
without a word.  Nothing can export after the exit hooks (the delivering
threads are daemons, stopped once the hooks are done), so the latest point
is the earliest-registered hook, and pynector has two candidates:

* its package's own hook, registered when ``pynector.telemetry`` is first
  imported (see :func:`package_exit_hook`), before the application and its
  libraries register theirs, using it;
* ``logging``'s, registered when ``logging`` is first imported, which
  closes every handler at exit: the shutdowns run in the ``close`` of a
  handler on no logger.  This one runs last when ``logging`` was imported
  first (by the application, a framework...).

:func:`shut_down_last` registers a shutdown to run at the later of the two,
once, in :data:`STAGES` order: log records and spans first, then metrics,
whose last export then counts what the others delivered (their
self-metrics).  ``dictConfig`` and ``fileConfig`` close every handler too,
and forget them: a close before the exit does nothing, and an exit hook
registered with the first shutdown marks the exit as started and puts a
fresh handler in ``logging``'s list, in case the first one was forgotten.

Only hooks registered before both ``pynector.telemetry`` and ``logging``
were imported run after that point; what they make is not exported.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any, Literal

__all__ = ["STAGES", "Stage", "package_exit_hook", "shut_down_last", "shut_down_provider_last"]

Stage = Literal["logs", "spans", "metrics"]

#: The order the shutdowns run in at exit.
STAGES: tuple[Stage, ...] = ("logs", "spans", "metrics")

_lock = threading.Lock()
_shutdowns: dict[int, tuple[int, Callable[[], object]]] = {}
_next_key = 0
_exiting = False
_done = False
_handlers: list[logging.Handler] = []


class _LastExitHandler(logging.Handler):
    """A handler on no logger, there to be closed by ``logging`` at exit."""

    def handle(self, record: logging.LogRecord) -> bool:  # never on a logger
        return False

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - never on a logger
        pass

    def close(self) -> None:
        try:
            if _exiting and _logging_last():
                _run_shutdowns()
        finally:
            super().close()


def _logging_last() -> bool:
    """Whether ``logging``'s exit hook runs after the package's (it was imported first)."""
    return bool(getattr(sys.modules.get("pynector.telemetry"), "_LOGGING_FIRST", True))


def package_exit_hook() -> None:
    """The package's exit hook, registered on import: the latest point when
    ``logging`` was imported after the package."""
    if not _logging_last():
        _run_shutdowns()


def _exit_started() -> None:
    """Our exit hook: from now on, ``logging`` closing its handlers is the exit's."""
    global _exiting
    _exiting = True
    _handlers.append(_LastExitHandler())  # in logging's list, even after a dictConfig


def _run_shutdowns() -> None:
    """Run every registered shutdown, once, in stage order; none may stop the others."""
    global _done
    with _lock:
        if _done:
            return
        _done = True
        due = sorted(_shutdowns.values(), key=lambda entry: entry[0])
        _shutdowns.clear()
    for _, shutdown in due:
        with suppress(Exception):  # the process is leaving; nothing useful to raise
            shutdown()


def shut_down_last(shutdown: Callable[[], object], stage: Stage) -> Callable[[], None]:
    """Run *shutdown* at exit, after the exit hooks (see the module docstring),
    with the other shutdowns of *stage*; return a function that cancels it
    (a provider replaced, or shut down explicitly, before the exit)."""
    global _next_key
    with _lock:
        if not _handlers and _logging_last():
            _handlers.append(_LastExitHandler())
            atexit.register(_exit_started)
        key = _next_key
        _next_key += 1
        _shutdowns[key] = (STAGES.index(stage), shutdown)

    def cancel() -> None:
        with _lock:
            _shutdowns.pop(key, None)

    return cancel


def shut_down_provider_last(provider: Any, stage: Stage) -> None:
    """Shut an SDK *provider* down at exit with :func:`shut_down_last`
    instead of its own exit hook (unregistered here, if it has one), unless
    the application shuts it down first: as the SDK's hook, which its
    ``shutdown`` unregisters (a second shutdown logs OpenTelemetry warnings)."""
    shutdown = provider.shutdown
    atexit.unregister(shutdown)  # equal to the SDK's hook: the same bound method
    cancel = shut_down_last(shutdown, stage)

    def shutdown_now(*args: Any, **kwargs: Any) -> Any:
        cancel()
        return shutdown(*args, **kwargs)

    provider.shutdown = shutdown_now


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # a fork while another thread held it copies it held


os.register_at_fork(after_in_child=_after_fork_in_child)
