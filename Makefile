# Two commands for a new user: `make run` (install, build the demo bank if none, serve the dashboard)
# and `make test` (install, run the whole test suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB := data/bank.duckdb

.PHONY: run serve test lint demo bench install install-dev browser

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-spark.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -r requirements-spark.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(DB): | $(VENV)/.installed
	$(PY) -m analytics demo --db $(DB)

demo: $(VENV)/.installed
	$(PY) -m analytics demo --db $(DB)

run: $(VENV)/.installed $(DB)
	$(PY) -m streamlit run serve.py --server.address localhost --server.port 8501 --browser.gatherUsageStats false

# as a bank serves it: nginx on port 8500 in front of one Streamlit process per core (docs/operations.md);
# options of python -m tools.serve in SERVE_ARGS, e.g. make serve SERVE_ARGS="--server-name tier.bank.example"
serve: $(VENV)/.installed $(DB)
	bash tools/serve/ensure_nginx.sh
	$(PY) -m tools.serve --db $(DB) $(SERVE_ARGS)

browser:
	bash tools/ensure_browser.sh

# the layout's rules (docs/architecture.md) and the code's style, checked before any test runs
lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

test: lint browser
	$(PY) -m pytest

bench: $(VENV)/.installed-dev
	$(PY) -m tools.bench
