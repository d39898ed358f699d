"""The README's Python examples run, so the README cannot drift from the code.

Every ```` ```python ```` block in ``README.md`` runs in a fresh interpreter
and must exit cleanly, unless the line just before it is
``<!-- fragment: why -->``: a block that shows a piece of a larger program
(``await`` at the top level, names defined elsewhere).  A fragment must
still be valid Python.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from support.processes import run_python

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.DOTALL)
FRAGMENT = re.compile(r"<!-- fragment: .+ -->")


def readme_blocks() -> list[tuple[int, str, bool]]:
    """``(line, code, is_fragment)`` for every Python block of the README."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start("code")) + 1
        fragment = FRAGMENT.fullmatch(match.group("before").strip()) is not None
        blocks.append((line, match.group("code"), fragment))
    return blocks


BLOCKS = readme_blocks()
RUNNABLE = [(line, code) for line, code, fragment in BLOCKS if not fragment]
FRAGMENTS = [(line, code) for line, code, fragment in BLOCKS if fragment]


def test_the_readme_has_runnable_examples() -> None:
    assert len(RUNNABLE) >= 2


@pytest.mark.parametrize(("line", "code"), RUNNABLE, ids=[f"README.md:{n}" for n, _ in RUNNABLE])
def test_readme_example_runs(line: int, code: str) -> None:
    result = run_python(code, env={"OTEL_TRACES_EXPORTER": "none"})
    assert result.returncode == 0, f"README.md:{line} failed:\n{result.stderr}"


@pytest.mark.parametrize(("line", "code"), FRAGMENTS, ids=[f"README.md:{n}" for n, _ in FRAGMENTS])
def test_readme_fragment_is_valid_python(line: int, code: str) -> None:
    ast.parse(code, filename=f"README.md:{line}")
