# Two environments, so every test runs both ways:
#   .venv       every optional package (pynector[observability-full]) + test tools
#   .venv-bare  pynector alone: no OpenTelemetry, no structlog, no anyio
PYTHON ?= python3
FULL := .venv
BARE := .venv-bare
PIP_INSTALL = -m pip install --quiet --disable-pip-version-check -c constraints.txt
SRC_FILES := $(shell find src -name '*.py') pyproject.toml constraints.txt

BENCH_FULL := .venv-bench
BENCH_BARE := .venv-bench-bare
BENCH_PYTEST = -m pytest benchmarks -q -p no:cacheprovider -o python_files="bench_*.py"

.PHONY: demo test lint test-full test-bare coverage docs bench bench-smoke clean

demo: $(FULL)/.installed
	$(FULL)/bin/python -m pynector.telemetry demo

test: lint test-full test-bare coverage docs bench-smoke

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

# mypy reads what to check (src, tests, benchmarks; not the seed's verbatim
# tests) from [tool.mypy] in pyproject.toml.  src/conftest.py gets a run of its
# own: it and tests/conftest.py are both the top-level module `conftest`.
lint: $(FULL)/.installed
	$(FULL)/bin/ruff check src tests benchmarks
	$(FULL)/bin/ruff format --check src tests benchmarks
	$(FULL)/bin/mypy --strict
	$(FULL)/bin/mypy --strict src/conftest.py

# Each configuration runs the suite, then every >>> example in the package.
test-full: $(FULL)/.installed
	rm -f .coverage .coverage.*
	PYNECTOR_TEST_CONFIG=full $(FULL)/bin/python -m coverage run -m pytest
	PYNECTOR_TEST_CONFIG=full $(FULL)/bin/python -m coverage run -m pytest --doctest-modules src

test-bare: $(BARE)/.installed
	PYNECTOR_TEST_CONFIG=bare $(BARE)/bin/python -m coverage run -m pytest
	PYNECTOR_TEST_CONFIG=bare $(BARE)/bin/python -m coverage run -m pytest --doctest-modules src

coverage: $(FULL)/.installed
	$(FULL)/bin/python -m coverage combine --quiet
	$(FULL)/bin/python -m coverage report --fail-under=90

# The guide and the API reference (from the docstrings); warnings are errors,
# so a broken reference fails the build.
docs: $(FULL)/.installed
	$(FULL)/bin/sphinx-build -W --keep-going -q -b html docs build/docs

# Benchmarks run against regular (non-editable) installs, as users get them.
$(BENCH_FULL)/.installed: $(SRC_FILES)
	$(PYTHON) -m venv $(BENCH_FULL)
	$(BENCH_FULL)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BENCH_FULL)/bin/python $(PIP_INSTALL) --force-reinstall --no-deps .
	$(BENCH_FULL)/bin/python $(PIP_INSTALL) ".[observability-full]" --group bench-full
	touch $@

$(BENCH_BARE)/.installed: $(SRC_FILES)
	$(PYTHON) -m venv $(BENCH_BARE)
	$(BENCH_BARE)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BENCH_BARE)/bin/python $(PIP_INSTALL) --force-reinstall --no-deps .
	$(BENCH_BARE)/bin/python $(PIP_INSTALL) . --group bench
	touch $@

# The full suite: a few minutes; writes docs/benchmarks.md and docs/benchmarks.png.
bench: $(BENCH_FULL)/.installed $(BENCH_BARE)/.installed
	mkdir -p build/bench
	$(BENCH_BARE)/bin/python $(BENCH_PYTEST) --benchmark-json=build/bench/bench-bare.json
	$(BENCH_FULL)/bin/python $(BENCH_PYTEST) --benchmark-json=build/bench/bench-full.json
	$(BENCH_BARE)/bin/python benchmarks/measure_import.py build/bench/import-bare.json
	$(BENCH_FULL)/bin/python benchmarks/measure_import.py build/bench/import-full.json
	$(BENCH_FULL)/bin/python benchmarks/measure_export.py build/bench/export.json
	$(BENCH_FULL)/bin/python benchmarks/report.py build/bench docs

# The same code paths in seconds, in the test environments, so the suite cannot rot.
SMOKE := --benchmark-min-rounds=1 --benchmark-max-time=0.0001 --benchmark-warmup=off
bench-smoke: $(FULL)/.installed $(BARE)/.installed
	rm -rf build/bench-smoke && mkdir -p build/bench-smoke
	$(BARE)/bin/python $(BENCH_PYTEST) $(SMOKE) --benchmark-json=build/bench-smoke/bench-bare.json
	$(FULL)/bin/python $(BENCH_PYTEST) $(SMOKE) --benchmark-json=build/bench-smoke/bench-full.json
	$(BARE)/bin/python benchmarks/measure_import.py build/bench-smoke/import-bare.json --runs 2
	$(FULL)/bin/python benchmarks/measure_import.py build/bench-smoke/import-full.json --runs 2
	$(FULL)/bin/python benchmarks/measure_export.py build/bench-smoke/export.json --spans 200
	$(FULL)/bin/python benchmarks/report.py build/bench-smoke build/bench-smoke/docs > /dev/null
	test -s build/bench-smoke/docs/benchmarks.md && test -s build/bench-smoke/docs/benchmarks.png

clean:
	rm -rf $(FULL) $(BARE) $(BENCH_FULL) $(BENCH_BARE) build .coverage .coverage.* .mypy_cache .pytest_cache .ruff_cache
