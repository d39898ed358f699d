"""Exporter names to processors or readers, the same way for every signal.

Each configured name (already checked by the settings) gets its factory's
processor or reader, in order.  A factory whose package is not installed
costs one warning naming the extra to install, and the other exporters
keep working: one signal's telemetry never stops because of another's
optional package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from .._warnings import warn_once

__all__ = ["Factories", "build_named"]

S = TypeVar("S")
P = TypeVar("P")

#: exporter name -> (factory, the extra that installs its package)
Factories = Mapping[str, tuple[Callable[[S], P], str]]


def build_named(
    names: Iterable[str],
    factories: Factories[S, P],
    settings: S,
    *,
    kind: str,
    carries_on: str,
    warning_key: str,
) -> list[tuple[str, P]]:
    """``(name, processor)`` for each of *names* whose package is installed.

    *kind* names the exporters in the warning (``"trace"``), *carries_on*
    says what goes on without one (``"Tracing continues"``), and
    *warning_key* keys the warning once per name.
    """
    built: list[tuple[str, P]] = []
    for name in names:
        factory, extra = factories[name]
        try:
            built.append((name, factory(settings)))
        except ImportError as error:
            warn_once(
                f"{warning_key}:{name}",
                f"The {name!r} {kind} exporter needs {error.name or 'a package'}, which is "
                f'not installed. Install it with: pip install "pynector[{extra}]". '
                f"{carries_on} without this exporter.",
            )
    return built
