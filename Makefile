# minitorch: every user target first makes sure .venv exists with the project installed.
# The venv is rebuilt only when pyproject.toml changes (the stamp file tracks it).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= 1
ENGINE ?= minitorch
THREADS ?= 1
ARGS   ?=

.PHONY: help venv test test-fast lint docs parity bench bench-baseline bench-count clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install minitorch with its harness extras

test: $(STAMP)  ## ruff, then unit tests, the quick parity subset, planted bugs, bench cases once
	$(PY) -m ruff check minitorch parity bench tests examples
	$(PY) -m pytest -n 2 tests

lint: $(STAMP)  ## ruff over the whole project
	$(PY) -m ruff check minitorch parity bench tests examples

docs: $(STAMP)  ## regenerate docs/derivatives.md from the Functions' adjoint docstrings
	$(PY) -m parity.derivatives

parity: $(STAMP)  ## full parity sweep against torch -> reports/parity.md, .json (ENGINE=torch: self-check)
	$(PY) -m parity --jobs $(JOBS) --engine $(ENGINE) $(ARGS)

bench: $(STAMP)  ## time minitorch vs torch vs hand-written NumPy -> reports/bench.md (ENGINE=torch: self-check, report only with ARGS="--out DIR")
	$(PY) -m bench --threads $(THREADS) --engine $(ENGINE) $(ARGS)

bench-baseline: $(STAMP)  ## store the current bench results as the baseline to compare against
	$(PY) -m bench --threads $(THREADS) --save-baseline $(ARGS)

bench-count: $(STAMP)  ## instructions per call under valgrind's cachegrind, twice -> reports/bench_count.md
	$(PY) -m bench.count $(ARGS)

clean:  ## remove the venv and caches
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks
