# Two commands on a fresh machine: `make demo` (the main job on a bundled sample) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test models system-deps lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

models: $(STAMP)
	$(BIN)/posecheck models fetch --variant full

demo: models
	$(BIN)/posecheck demo

# The tests need every model variant and, for the browser and window tests, Debian's chromium and xvfb.
# One worker per core (pytest-xdist), each test file whole on one worker: a file's fixtures run once.
test: $(STAMP) system-deps
	$(BIN)/posecheck models fetch --variant all
	$(BIN)/python -m pytest -n auto --dist loadfile

system-deps:
	bash tools/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/posecheck models fetch --variant all
	$(BIN)/python benchmarks/pipeline_overhead.py

clean:
	rm -rf $(VENV) .pytest_cache
