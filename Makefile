# Two commands for a new user: `make run` (install, build the demo bank if none, serve the dashboard)
# and `make test` (install, run the whole test suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DB := data/bank.duckdb

.PHONY: run test demo bench install install-dev browser

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(DB): | $(VENV)/.installed
	$(PY) -m analytics demo --db $(DB)

demo: $(VENV)/.installed
	$(PY) -m analytics demo --db $(DB)

run: $(VENV)/.installed $(DB)
	$(PY) -m streamlit run app.py --server.address localhost --server.port 8501 --browser.gatherUsageStats false

browser:
	bash scripts/ensure_browser.sh

test: $(VENV)/.installed-dev browser
	$(PY) -m pytest -q

bench: $(VENV)/.installed-dev
	$(PY) -m analytics bench
