"""How telemetry tells the user that something is off, without raising.

Telemetry must never raise into the caller, but silently swallowing a
problem hides a misconfiguration.  Every such problem becomes a
:class:`TelemetryWarning`, emitted at most once per distinct message key,
so a hot loop with a bad attribute produces one line, not a flood.
"""

from __future__ import annotations

import sys
from _thread import allocate_lock

__all__ = ["TelemetryWarning", "reset_warnings", "warn_once"]


class TelemetryWarning(UserWarning):
    """A telemetry problem that was handled with a safe default.

    Filter it like any warning, e.g.
    ``warnings.simplefilter("ignore", TelemetryWarning)``.
    """


_seen: set[str] = set()
_lock = allocate_lock()  # _thread: importing threading would cost ~1 ms


def _caller_stacklevel() -> int:
    """The stacklevel of the first frame outside this package, so the warning
    points at the user's line that led to it."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith(__package__):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def warn_once(key: str, message: str) -> bool:
    """Emit *message* as a :class:`TelemetryWarning` the first time *key* is seen.

    The warning is attributed to the caller's code, not to this package.
    Returns whether the warning was emitted.
    """
    with _lock:
        if key in _seen:
            return False
        _seen.add(key)
    import warnings  # not at module level: most processes never warn

    from .redaction import scrub_diagnostic  # a warning may quote a bad value

    message = scrub_diagnostic(message)
    warnings.warn(message, TelemetryWarning, stacklevel=_caller_stacklevel())
    return True


def reset_warnings() -> None:
    """Forget which warnings were emitted (for tests)."""
    with _lock:
        _seen.clear()
