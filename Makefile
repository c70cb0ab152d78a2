# The two commands of the README. Each sets up what it needs (tools/bootstrap.sh) and is safe to rerun.
SHELL := /bin/bash
VENV_PYTHON := .venv/bin/python

.PHONY: demo test bootstrap format lint

## demo: bake the default project into demo/ and run its whole local lifecycle (FRESH=1 starts over)
demo: bootstrap
	$(VENV_PYTHON) tools/demo.py $(if $(FRESH),--fresh,)

## test: the whole template test suite (bakes projects, lints them, runs their own tests)
test: bootstrap
	$(VENV_PYTHON) -m pytest

bootstrap:
	@bash tools/bootstrap.sh

## format: ruff-format this repository and the template's Jinja-laden Python files
format: bootstrap
	$(VENV_PYTHON) -m ruff format .
	$(VENV_PYTHON) tools/format_template.py

## lint: what CI checks on this repository's own code
lint: bootstrap
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m ruff format --check .
	$(VENV_PYTHON) tools/format_template.py --check
