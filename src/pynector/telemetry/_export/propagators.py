"""Install the context propagators named by ``OTEL_PROPAGATORS`` or an argument.

OpenTelemetry reads ``OTEL_PROPAGATORS`` itself when ``opentelemetry.propagate``
is first imported, and *raises* if a name is misspelled or its package is
missing, which takes the application down with it.  Here each name is
checked against the installed propagators first; unknown ones cost one
warning, and the known ones are installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from .._dependencies import is_importable
from .._warnings import warn_once
from .settings import Setting

__all__ = ["configure_propagators"]

_GROUP = "opentelemetry_propagator"


def _available() -> dict[str, object]:
    return {entry.name: entry for entry in entry_points(group=_GROUP)}


def configure_propagators(setting: Setting[tuple[str, ...]]) -> list[str]:
    """Install the propagators of *setting*; return the names installed.

    With names from the environment that are all valid, nothing is done:
    OpenTelemetry installs them itself, exactly as configured.  Without
    OpenTelemetry's API nothing crosses a process boundary, so there is
    nothing to install.
    """
    if not is_importable("opentelemetry.propagate"):
        return []
    available = _available()
    names = [name for name in setting.value if name != "none"]
    unknown = [name for name in names if name not in available]
    for name in unknown:
        warn_once(
            f"propagator:{name}",
            f"Unknown or uninstalled propagator {name!r} (from {setting.variable or 'argument'}); "
            f"installed ones are {', '.join(sorted(available))}. It is skipped.",
        )
    valid = [name for name in names if name in available]
    if "none" in setting.value:
        valid = []
    if setting.source != "argument" and not unknown:
        return valid
    _install(valid, available)
    return valid


def _install(names: Sequence[str], available: dict[str, object]) -> None:
    if "opentelemetry.propagate" not in sys.modules:
        # Import with a value OpenTelemetry accepts, so its import-time
        # parsing cannot raise; the real choice is installed just below.
        saved = os.environ.get("OTEL_PROPAGATORS")
        os.environ["OTEL_PROPAGATORS"] = ",".join(names) or "none"
        try:
            import opentelemetry.propagate  # noqa: F401
        finally:
            if saved is None:
                del os.environ["OTEL_PROPAGATORS"]
            else:
                os.environ["OTEL_PROPAGATORS"] = saved
    from opentelemetry.propagate import set_global_textmap
    from opentelemetry.propagators.composite import CompositePropagator

    propagators = [available[name].load()() for name in names]  # type: ignore[attr-defined]
    set_global_textmap(CompositePropagator(propagators))
