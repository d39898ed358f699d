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
from types import ModuleType
from typing import TYPE_CHECKING

from .._dependencies import is_importable
from .._warnings import warn_once

if TYPE_CHECKING:
    from .settings import Setting

__all__ = ["configure_propagators", "import_propagate"]

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
        _warn_unknown(name, setting.variable or "argument", available)
    valid = [name for name in names if name in available]
    if "none" in setting.value:
        valid = []
    if setting.source != "argument" and not unknown:
        return valid
    _install(valid, available)
    return valid


def import_propagate() -> ModuleType:
    """``opentelemetry.propagate``, imported so that its import cannot raise.

    OpenTelemetry installs the ``OTEL_PROPAGATORS`` propagators when the
    module is first imported, and raises there for an unknown name.  The
    unknown names get one warning each and the import sees only the known
    ones, so that ``inject_context``/``extract_context`` work even when
    ``configure_telemetry`` was never called.
    """
    module = sys.modules.get("opentelemetry.propagate")
    if module is not None:
        return module
    raw = os.environ.get("OTEL_PROPAGATORS")
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    available = _available()
    unknown = [name for name in names if name.lower() != "none" and name not in available]
    for name in unknown:
        _warn_unknown(name, "OTEL_PROPAGATORS", available)
    if not unknown:
        import opentelemetry.propagate

        return opentelemetry.propagate
    return _import_with([name for name in names if name not in unknown])


def _import_with(names: Sequence[str]) -> ModuleType:
    """Import ``opentelemetry.propagate`` with ``OTEL_PROPAGATORS`` set to *names*
    (a value it accepts), then put the variable back."""
    saved = os.environ.get("OTEL_PROPAGATORS")
    os.environ["OTEL_PROPAGATORS"] = ",".join(names) or "none"
    try:
        import opentelemetry.propagate
    finally:
        if saved is None:
            del os.environ["OTEL_PROPAGATORS"]
        else:
            os.environ["OTEL_PROPAGATORS"] = saved
    return opentelemetry.propagate


def _warn_unknown(name: str, source: str, available: dict[str, object]) -> None:
    warn_once(
        f"propagator:{name}",
        f"Unknown or uninstalled propagator {name!r} (from {source}); "
        f"installed ones are {', '.join(sorted(available))}. It is skipped.",
    )


def _install(names: Sequence[str], available: dict[str, object]) -> None:
    if "opentelemetry.propagate" not in sys.modules:
        # The real choice is installed just below.
        _import_with(names)
    from opentelemetry.propagate import set_global_textmap
    from opentelemetry.propagators.composite import CompositePropagator

    propagators = [available[name].load()() for name in names]  # type: ignore[attr-defined]
    set_global_textmap(CompositePropagator(propagators))
