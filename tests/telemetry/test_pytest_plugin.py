"""The ``pytest11`` plugin, seen from downstream projects that run pytest on their own tests.

The projects live in ``tests/data/downstream``; each runs in a fresh
pytest process that loads pynector's plugin through its installed entry
point, as it would in a project that merely has pynector installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pynector.telemetry import HAS_OPENTELEMETRY, HAS_STRUCTLOG
from support.processes import clean_env, run_python

from .test_layout import HOT_PATH, LOADED_BY_IMPORT

DOWNSTREAM = Path(__file__).parent.parent / "data" / "downstream"
FULL = HAS_OPENTELEMETRY and HAS_STRUCTLOG


def run_pytest(tmp_path: Path, project: str, *args: str) -> subprocess.CompletedProcess[str]:
    copy = tmp_path / "downstream"
    if not copy.exists():
        shutil.copytree(DOWNSTREAM, copy)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", *args],
        cwd=copy / project,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )


def summary(result: subprocess.CompletedProcess[str]) -> str:
    """The final counts, e.g. ``4 passed``."""
    last = result.stdout.strip().splitlines()[-1]
    return re.sub(r" in [\d.]+s.*$", "", last.strip("= "))


@pytest.mark.skipif(not FULL, reason="needs OpenTelemetry and structlog")
@pytest.mark.parametrize(
    "setup",
    [
        pytest.param([], id="no-provider-before"),
        pytest.param(["-p", "app_setup"], id="application-provider-before"),
    ],
)
def test_a_project_using_the_fixture_passes(tmp_path: Path, setup: list[str]) -> None:
    result = run_pytest(tmp_path, "uses_fixture", *setup)
    assert summary(result) == "6 passed", result.stdout + result.stderr
    # The application's own log output keeps going while the fixture captures.
    assert ('"event": "retrying"' in result.stdout) is bool(setup)


@pytest.mark.skipif(HAS_OPENTELEMETRY, reason="the no-dependency configuration")
def test_without_dependencies_the_fixture_says_why_it_captured_nothing(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "uses_fixture")
    assert summary(result) == "5 failed, 1 passed", result.stdout
    assert "(no spans captured: OpenTelemetry is not installed" in result.stdout
    assert "(no metrics captured: OpenTelemetry is not installed" in result.stdout
    assert "pynector's log calls not captured: below the standard library's levels" in (
        result.stdout
    )


@pytest.mark.skipif(not FULL, reason="needs OpenTelemetry and structlog")
def test_a_failing_test_shows_the_captured_tree(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, "shows_tree")
    assert summary(result) == "1 failed"
    section = result.stdout.split("captured telemetry")[1]
    assert re.search(r"\n--- trace [0-9a-f]{32} ---\n", section)
    assert "fetch  url='https://example.test'" in section
    assert "INFO     retrying  attempt=1" in section
    assert "\n--- metrics ---\n" in section
    assert "metric 'mylib.fetches' unit={fetch} url='https://example.test' value=1\n" in section


def test_a_project_not_using_the_fixture_is_unchanged(tmp_path: Path) -> None:
    loaded = run_pytest(tmp_path, "plain", "--trace-config")
    assert "pynector.telemetry.pytest_plugin" in loaded.stdout  # the entry point is active
    without = run_pytest(tmp_path, "plain", "-p", "no:pynector")
    assert "pynector.telemetry.pytest_plugin" not in without.stdout
    assert summary(loaded) == summary(without) == "2 passed", loaded.stdout
    assert fixtures_used(loaded) == fixtures_used(without)  # no autouse fixture added


def fixtures_used(result: subprocess.CompletedProcess[str]) -> str:
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("fixtures used:")]
    return line


def test_loading_the_plugin_imports_only_the_hot_path() -> None:
    code = LOADED_BY_IMPORT.replace("pynector.telemetry\n", "pynector.telemetry.pytest_plugin\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    ours = {name for name in loaded if name.startswith("pynector")}
    assert ours == {*HOT_PATH, "pynector.telemetry.pytest_plugin"}
    assert not {name for name in loaded if name.startswith(("opentelemetry.", "structlog"))}
