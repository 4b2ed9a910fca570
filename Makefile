# Short commands for readers and CI. Everything installs into a local virtual environment (.venv).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OLD    := .venv-oldest
COLAB  := .venv-colab
NB     ?= 01

.PHONY: install lab test run execute handout bench lint test-colab test-oldest clean zh

install: $(STAMP)  ## create .venv and install the pinned requirements (again only when they change)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

lab: install  ## open JupyterLab on notebooks/ (tools/lab.py; as root, e.g. in a container, with --allow-root)
	$(BIN)/python tools/lab.py $(ARGS)

test: install  ## the whole suite: unit tests, lint, hygiene, every notebook through nbval, time budgets
	$(BIN)/pytest

run: install  ## execute one notebook headless in a fresh kernel, write it back in place: make run NB=03
	@nb=$$(ls notebooks/$(NB)_*.ipynb 2>/dev/null | head -n 1); \
	if [ -z "$$nb" ]; then echo "no notebook notebooks/$(NB)_*.ipynb"; exit 2; fi; \
	$(BIN)/python tools/execute_notebooks.py "$$nb"

execute: install  ## re-execute every notebook in place (commit outputs only from this) and update README minutes
	$(BIN)/python tools/execute_notebooks.py --readme

zh:  ## the Chinese edition: notebooks/zh/ from translations/zh/*.json (tools/zh.py; no TensorFlow needed)
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) tools/zh.py build

handout: install  ## the notebooks without their Solutions, for lecturers to hand out: build/handout/
	$(BIN)/python tools/handout.py

bench: install  ## LSTM/GRU training throughput table (GPU: cuDNN vs generic, mixed precision, XLA); make bench ARGS=--cpu
	$(BIN)/python -m utils.bench $(ARGS)

lint: install  ## ruff over utils/, tests/, tools/ and the notebooks
	$(BIN)/ruff check utils tests tools conftest.py notebooks

# Other versions, each in its own environment: Colab's current runtime, and the oldest versions we promise.
$(COLAB)/.installed: requirements.txt requirements-dev.txt constraints-colab.txt
	$(PYTHON) -m venv $(COLAB)
	$(COLAB)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB)/bin/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints-colab.txt
	touch $@

test-colab: $(COLAB)/.installed  ## unit tests and every notebook on what Colab ships today (constraints-colab.txt)
	$(COLAB)/bin/pytest

$(OLD)/.installed: requirements.txt requirements-dev.txt constraints-oldest.txt
	$(PYTHON) -m venv $(OLD)
	$(OLD)/bin/python -m pip install --quiet --upgrade pip
	$(OLD)/bin/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints-oldest.txt
	touch $@

test-oldest: $(OLD)/.installed  ## unit tests and notebooks 01, 05 and 09 on the oldest versions we promise
	$(OLD)/bin/pytest tests $(wildcard notebooks/01_*.ipynb notebooks/05_*.ipynb notebooks/09_*.ipynb)

clean:  ## remove the virtual environments and caches
	rm -rf $(VENV) $(OLD) $(COLAB) .pytest_cache .ruff_cache build
