"""Turns telemetry on in every Python process started by ``python -m pynector.telemetry run``.

``run`` puts this directory first on ``PYTHONPATH``, so Python imports this
module at start-up, before the program's own code.  It first runs the
``sitecustomize`` it hides (``opentelemetry-instrument``'s, or the
environment's own), so both tools compose: instrumentations are applied,
and a provider that OpenTelemetry's distro configured is kept.  Then it
calls ``configure_telemetry()``, which reads the ``OTEL_*`` variables.

Nothing here may stop the program from starting: a failure is one warning.
"""

from __future__ import annotations

import importlib
import os
import sys


def _run_hidden_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    ours = sys.modules.pop("sitecustomize", None)
    saved = list(sys.path)
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    try:
        importlib.import_module("sitecustomize")
    except ImportError as error:
        if error.name != "sitecustomize":
            raise
    finally:
        sys.path[:] = saved
        if ours is not None and "sitecustomize" not in sys.modules:
            sys.modules["sitecustomize"] = ours


def _configure() -> None:
    try:
        from pynector.telemetry._cli.run import configure_for_run
    except ImportError:
        raise RuntimeError(
            f"pynector is not installed for {sys.executable}; run the program with the "
            "interpreter pynector is installed in"
        ) from None
    configure_for_run()


try:
    _run_hidden_sitecustomize()
    _configure()
except Exception as error:  # never stop the program from starting
    import warnings

    warnings.warn(f"pynector run: telemetry is not configured: {error}", stacklevel=1)
