"""The command line: ``python -m pynector.telemetry {demo,doctor}``.

Loaded only by ``python -m pynector.telemetry``.  Its modules may import
anything in the package; nothing in the package imports them.

* :mod:`.doctor`: what is installed, configured and reachable;
* :mod:`.demo`: a small instrumented workload, shown on the console.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]


def _demo() -> int:
    from .demo import run_demo

    return run_demo()


def _doctor() -> int:
    from .doctor import run_doctor

    return run_doctor(sys.stdout)


_COMMANDS: dict[str, tuple[Callable[[], int], str]] = {
    "demo": (_demo, "run a small async workload and show its spans and correlated logs"),
    "doctor": (
        _doctor,
        "show installed packages, the effective configuration and its sources, "
        "and whether exporters can connect; exit 1 if something is misconfigured",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in *argv*; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m pynector.telemetry", description="pynector telemetry tools."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in _COMMANDS.items():
        commands.add_parser(name, help=help_text)
    arguments = parser.parse_args(argv)
    command, _ = _COMMANDS[arguments.command]
    return command()
