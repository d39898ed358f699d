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


def modules_in_package() -> set[str]:
    package = ROOT / "src" / "pynector" / "telemetry"
    return {path.relative_to(package).as_posix() for path in package.rglob("*.py")}


def modules_in_layout() -> set[str]:
    """Every module the layout tree in docs/architecture.md names (a folder: its ``__init__``)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = text.split("```text\n", 1)[1].split("```", 1)[0]
    listed: set[str] = set()
    folder = ""
    for line in tree.splitlines()[1:]:  # the first line is the package's own path
        if not line.strip():
            continue
        name = line.split()[0]
        top_level = len(line) - len(line.lstrip()) == 2
        if top_level:
            folder = name if name.endswith("/") else ""
            if folder:
                listed.add(folder + "__init__.py")
        if name.endswith(".py"):
            listed.add(name if top_level else folder + name)
    return listed


def test_the_layout_names_every_module() -> None:
    assert sorted(modules_in_package() ^ modules_in_layout()) == []
