"""The guide cannot fall behind the code: every variable read is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\b(?:OTEL|PYNECTOR)_[A-Z0-9_]*[A-Z0-9]\b")
#: Variables the code names without reading them as settings.
NOT_SETTINGS = {
    "PYNECTOR_EXAMPLE_UNSET",  # a doctest reads a variable that is never set
}


def variables_in_code() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "pynector").rglob("*.py"):
        found |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    return found - NOT_SETTINGS


def test_the_code_reads_variables() -> None:
    assert {"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"} <= variables_in_code()


def test_every_variable_is_in_the_applications_guide() -> None:
    guide = (ROOT / "docs" / "applications.md").read_text(encoding="utf-8")
    documented = set(VARIABLE.findall(guide))
    assert sorted(variables_in_code() - documented) == []
