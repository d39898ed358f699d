# Two environments, so every test runs both ways:
#   .venv       every optional package (pynector[observability-full]) + test tools
#   .venv-bare  pynector alone: no OpenTelemetry, no structlog, no anyio
PYTHON ?= python3
FULL := .venv
BARE := .venv-bare
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check -c constraints.txt
SRC_FILES := $(shell find src -name '*.py') pyproject.toml constraints.txt

.PHONY: demo test lint test-full test-bare coverage clean

demo: $(FULL)/.installed
	$(FULL)/bin/python -m pynector.telemetry demo

test: lint test-full test-bare coverage

$(FULL)/.installed: $(SRC_FILES)
	$(PYTHON) -m venv $(FULL)
	$(FULL)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(FULL)/bin/python $(PIP_INSTALL) -e ".[observability-full]" --group test-full
	touch $@

$(BARE)/.installed: $(SRC_FILES)
	$(PYTHON) -m venv $(BARE)
	$(BARE)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BARE)/bin/python $(PIP_INSTALL) -e . --group test
	touch $@

lint: $(FULL)/.installed
	$(FULL)/bin/ruff check src tests
	$(FULL)/bin/ruff format --check src tests
	$(FULL)/bin/mypy --strict src

test-full: $(FULL)/.installed
	rm -f .coverage .coverage.*
	PYNECTOR_TEST_CONFIG=full $(FULL)/bin/python -m coverage run -m pytest

test-bare: $(BARE)/.installed
	PYNECTOR_TEST_CONFIG=bare $(BARE)/bin/python -m coverage run -m pytest

coverage: $(FULL)/.installed
	$(FULL)/bin/python -m coverage combine --quiet
	$(FULL)/bin/python -m coverage report --fail-under=90

clean:
	rm -rf $(FULL) $(BARE) .coverage .coverage.* .mypy_cache .pytest_cache .ruff_cache
