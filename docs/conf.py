"""Sphinx configuration for pynector's documentation (``make docs``)."""

from __future__ import annotations

project = "pynector"
author = "pynector developers"
copyright = "pynector developers"  # noqa: A001 - Sphinx's name

extensions = [
    "myst_parser",  # the guides are Markdown
    "sphinx.ext.autodoc",  # the API reference comes from the docstrings
    "sphinx.ext.napoleon",  # "Args:" / "Returns:" sections
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Optional packages the reference mentions in signatures; documented
# without importing them where they are missing.
autodoc_mock_imports: list[str] = []
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = "pynector"
