"""The command line: ``python -m pynector.telemetry {run,doctor,demo}``.

Loaded only by ``python -m pynector.telemetry`` and the ``pynector-run``
script (and by the ``run`` bootstrap in the programs it starts).  Its
modules may import anything in the package; nothing in the package imports
them.

* :mod:`.run`: run a program with telemetry configured from the environment;
* :mod:`.doctor`: what is installed, configured and reachable;
* :mod:`.demo`: a small instrumented workload, shown on the console.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main", "run_script"]


def _demo() -> int:
    from .demo import run_demo

    return run_demo()


def _doctor() -> int:
    from .doctor import run_doctor

    return run_doctor(sys.stdout)


_COMMANDS: dict[str, tuple[Callable[[], int], str]] = {
    "run": (
        lambda: 2,  # dispatched before parsing: everything after it is the program's
        "run a program with telemetry configured from the OTEL_* environment: "
        "run [--] python app.py [ARGS...]",
    ),
    "demo": (_demo, "run a small async workload and show its spans and correlated logs"),
    "doctor": (
        _doctor,
        "show installed packages, the effective configuration and its sources, "
        "and whether exporters can connect; exit 1 if something is misconfigured",
    ),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in *argv*; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        from .run import main as run_program

        return run_program(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m pynector.telemetry", description="pynector telemetry tools."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text) in _COMMANDS.items():
        commands.add_parser(name, help=help_text)
    arguments = parser.parse_args(argv)
    command, _ = _COMMANDS[arguments.command]
    return command()


def run_script() -> None:
    """The ``pynector-run`` console script: ``pynector-run python app.py``."""
    from .run import main as run_program

    sys.exit(run_program(sys.argv[1:]))
