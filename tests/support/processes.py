"""Run a snippet of Python in a fresh interpreter of the current environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment without OTEL_*/PYNECTOR_* settings, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "PYNECTOR_"))}
    env.update(extra or {})
    return env


def run_python(
    code: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=clean_env(env),
        timeout=timeout,
        check=False,
    )
