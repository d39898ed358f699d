"""Command line: ``python -m pynector.telemetry {demo}``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]


def _demo() -> int:
    from ._demo import run_demo

    return run_demo()


_COMMANDS: dict[str, tuple[Callable[[], int], str]] = {
    "demo": (_demo, "run a small async workload and show its spans and correlated logs"),
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


if __name__ == "__main__":
    sys.exit(main())
