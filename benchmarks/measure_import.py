"""Import cost: ``python -c "import X"`` minus ``python -c pass``, median of many runs.

Usage: ``python benchmarks/measure_import.py OUT.json [--runs N]``.  Modules
that are not installed are left out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MODULES = [
    "pynector.telemetry",
    "pynector.telemetry.metrics",
    "opentelemetry.trace",
    "structlog",
    "logfire_api",
]


def write_bytecode(module: str) -> None:
    """Import *module* once with bytecode writing on, as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set (CI images and some shells set it), a
    module edited since its ``.pyc`` was written is compiled from source on
    every import, and the measurement becomes one of the compiler (about
    5 ms for the metrics module, against 0.4 ms with its bytecode).
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)


def run_ms(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - started) * 1000


def added_ms(module: str, runs: int) -> dict[str, float]:
    """Median of paired differences: each import run right after a baseline run,
    so that the machine's drift affects both halves of a pair alike."""
    write_bytecode(module)
    pairs = [(run_ms("pass"), run_ms(f"import {module}")) for _ in range(runs)]
    return {
        "baseline_ms": statistics.median(base for base, _ in pairs),
        "import_ms": statistics.median(cost for _, cost in pairs),
        "added_ms": statistics.median(cost - base for base, cost in pairs),
    }


def installed(module: str) -> bool:
    code = (
        "import importlib.util, sys\n"
        "try:\n"
        f"    sys.exit(importlib.util.find_spec({module!r}) is None)\n"
        "except ImportError:\n"
        "    sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    results = {module: added_ms(module, args.runs) for module in filter(installed, MODULES)}
    with open(args.out, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
