# hexpatrol — two commands do all set-up on a fresh machine:
#   make run    create .venv, install, fetch map assets, start the app on the demo data
#   make test   the same plus test tools and Debian's chromium/CJK fonts, then run the tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test assets system-test-deps lint typecheck demo clean bench passes

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet --python $(BIN)/python -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

static/vendor/.complete: layers/assets.py | $(BIN)/python
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm; }
	$(BIN)/python -m layers.assets fetch
	touch $@

assets: install static/vendor/.complete

# Debian packages the tests need, installed only when missing (root or sudo): Chromium for
# the browser tests, Noto CJK fonts for Chinese in screenshots and PDFs, LibreOffice to turn
# briefings into PDF, poppler-utils (pdftoppm) to look at them, PostgreSQL's server binaries
# for the store tests (they start a throwaway cluster of their own: the package is told not
# to create, and so not to start, its default cluster), Java 17 for Apache Spark (the
# screening tests start Spark locally and a standalone master + worker on 127.0.0.1).
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v java >/dev/null || { missing="$$missing openjdk-17-jre-headless"; \
	  $(SUDO) mkdir -p /usr/share/man/man1; }; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { missing="$$missing postgresql"; \
	  $(SUDO) mkdir -p /etc/postgresql-common/createcluster.d && \
	  echo "create_main_cluster = false" \
	    | $(SUDO) tee /etc/postgresql-common/createcluster.d/hexpatrol-tests.conf >/dev/null; }; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# Synthetic checkpoint passes for the screening demo (~2.3M rows, ~10-30 s), written once
# into var/demo_passes (gitignored) and again only when the simulator changes.
var/demo_passes/summary.json: data/make_passes.py | $(VENV)/.installed
	$(BIN)/python data/make_passes.py --out var/demo_passes

passes: install var/demo_passes/summary.json

run: assets passes
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: install-test assets system-test-deps
	$(BIN)/ruff check geo layers app.py app_pages tests data bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check geo layers app.py app_pages tests data bench

typecheck:
	$(BIN)/mypy

demo: install
	$(BIN)/python data/make_demo.py

clean:
	rm -rf $(VENV) static/vendor .pytest_cache .mypy_cache .ruff_cache

# Benchmarks against peers (results go in docs/BENCHMARKS.md); QUICK=1 for small sizes.
bench: install-test assets
	$(BIN)/python bench/bench_gistar.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_mclp.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_aggregate.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_map.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_screen.py $(if $(QUICK),--quick)
