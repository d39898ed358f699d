"""``python -m pynector.telemetry run [--] COMMAND...``: telemetry for a program, no code change.

``OTEL_TRACES_EXPORTER=console python app.py`` prints nothing, because only
:func:`~pynector.telemetry.configure_telemetry` reads the variables, and
``app.py`` never calls it.  ``run`` calls it for the program::

    python -m pynector.telemetry run python app.py --port 8080
    pynector-run python -m myservice
    opentelemetry-instrument pynector-run python app.py   # both: instrumentations too

It puts a ``sitecustomize`` bootstrap first on ``PYTHONPATH`` and then
*replaces itself* with the command (``exec``), so the program keeps its
process id, arguments, exit code and signals, and every Python process it
starts (workers, subprocesses) is configured the same way.  Spans queued at
exit are flushed by the program's own exit, as with an explicit
``configure_telemetry()``.

The bootstrap runs the ``sitecustomize`` it hides first, so it composes
with ``opentelemetry-instrument``: library instrumentations stay active,
and a tracer provider that OpenTelemetry's distro set up is kept (pynector
then adds only its logging pipeline, without a warning).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BOOTSTRAP_DIR", "configure_for_run", "main", "program_command"]

#: The directory holding the ``sitecustomize`` bootstrap.
BOOTSTRAP_DIR = Path(__file__).with_name("bootstrap")

USAGE = """\
usage: python -m pynector.telemetry run [--] COMMAND [ARGS...]

Run COMMAND with telemetry configured from the OTEL_* environment, e.g.:
  python -m pynector.telemetry run python app.py
  python -m pynector.telemetry run -- python -m myservice --port 8080
  OTEL_TRACES_EXPORTER=console pynector-run python app.py
"""


_BARE_PYTHON = re.compile(r"python(3(\.\d+)?)?")


def program_command(arguments: Sequence[str]) -> list[str]:
    """The command to execute: *arguments* without a leading ``--``.

    A bare ``python`` (``python3``, ``python3.11``) means this interpreter,
    the one pynector is installed in, whatever ``PATH`` finds first; a bare
    script (``app.py``) or ``-m module`` runs with it too.

    >>> program_command(["--", "python", "app.py"]) == [sys.executable, "app.py"]
    True
    >>> program_command(["-m", "myservice"]) == [sys.executable, "-m", "myservice"]
    True
    >>> program_command(["gunicorn", "app:wsgi"])
    ['gunicorn', 'app:wsgi']
    """
    command = list(arguments)
    if command[:1] == ["--"]:
        command = command[1:]
    if command and _BARE_PYTHON.fullmatch(command[0]):
        command[0] = sys.executable
    elif command and (command[0] == "-m" or command[0].endswith(".py")):
        command = [sys.executable, *command]
    return command


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    entries = [str(BOOTSTRAP_DIR)]
    entries += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != entries[0]]
    env["PYTHONPATH"] = os.pathsep.join(entries)
    return env


def main(arguments: Sequence[str]) -> int:
    """Replace this process with the command; returns only if it cannot start."""
    command = program_command(arguments)
    if not command:
        sys.stderr.write(USAGE)
        return 2
    executable = shutil.which(command[0])
    if executable is None:
        sys.stderr.write(
            f"pynector run: {command[0]!r} not found. Give a program on PATH or a path "
            "to one, e.g. `python -m pynector.telemetry run python app.py`.\n"
        )
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, command, _environment())
    except OSError as error:  # not executable, wrong format...
        sys.stderr.write(f"pynector run: cannot start {command[0]!r}: {error.strerror}\n")
        return 126


def configure_for_run() -> None:
    """What the bootstrap does in the program: configure from the environment.

    A tracer provider already set (by ``opentelemetry-instrument``'s
    distro) is kept without a warning; only the logging pipeline is added.
    """
    from .. import HAS_OPENTELEMETRY, configure_telemetry

    provider_set = False
    if HAS_OPENTELEMETRY:
        from opentelemetry import trace

        provider_set = not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    configure_telemetry(trace_enabled=not provider_set)
