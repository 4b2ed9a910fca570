# Short commands for readers and CI. Everything installs into a local virtual environment (.venv).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NB     ?= 01

.PHONY: install lab test run lint clean

install: $(STAMP)  ## create .venv and install the pinned requirements (again only when they change)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

lab: install  ## open JupyterLab on notebooks/ (as root, e.g. in a container, with --allow-root)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: install  ## the whole suite: unit tests, notebook structure, every notebook through nbval
	$(BIN)/pytest

run: install  ## execute one notebook headless and write it back in place: make run NB=03
	@nb=$$(ls notebooks/$(NB)_*.ipynb 2>/dev/null | head -n 1); \
	if [ -z "$$nb" ]; then echo "no notebook notebooks/$(NB)_*.ipynb"; exit 2; fi; \
	start=$$(date +%s); \
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=900 "$$nb" && \
	echo "$$nb: $$(( $$(date +%s) - start )) s"

lint: install  ## ruff over utils/, tests/ and the notebooks
	$(BIN)/ruff check utils tests notebooks

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache
