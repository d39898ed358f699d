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


def _demo(arguments: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo()


def _doctor(arguments: argparse.Namespace) -> int:
    from .doctor import run_doctor

    return run_doctor(sys.stdout, as_json=arguments.json)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pynector.telemetry", description="pynector telemetry tools."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run",
        help="run a program with telemetry configured from the OTEL_* environment: "
        "run [--] python app.py [ARGS...]",
    )
    doctor = commands.add_parser(
        "doctor",
        help="show installed packages, the effective configuration and its sources, and "
        "whether each exporter's endpoint accepts an export; exit 1 on any problem",
    )
    doctor.add_argument("--json", action="store_true", help="the report as JSON")
    doctor.set_defaults(handler=_doctor)
    demo = commands.add_parser(
        "demo", help="run a small async workload and show its spans and correlated logs"
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in *argv*; returns the process exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:  # everything after it is the program's, options included
        from .run import main as run_program

        return run_program(argv[1:])
    arguments = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = arguments.handler
    return handler(arguments)


def run_script() -> None:
    """The ``pynector-run`` console script: ``pynector-run python app.py``."""
    from .run import main as run_program

    sys.exit(run_program(sys.argv[1:]))
