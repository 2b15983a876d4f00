# hexpatrol — two commands do all set-up on a fresh machine:
#   make run    create .venv, install, fetch map assets, build the demo base map, install the
#               CJK fonts and LibreOffice the briefings need (when missing), start the app
#   make test   the same plus test tools and Debian's chromium/poppler/PostgreSQL, then the tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8501
# test processes for `make test` (pytest-xdist); 1 runs the tests one after another
TEST_WORKERS ?= 2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test assets system-run-deps system-test-deps lint typecheck demo \
	clean bench bench-load passes serve system-serve-deps

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

# the demo's synthetic base map: a raster MBTiles drawn from the demo's road, village and river
# layers (seeded), imported like any county's MBTiles as the tile set "demo"
DEMO_LAYERS := data/demo/roads.geojson data/demo/villages.geojson data/demo/rivers.geojson
build/demo-basemap.mbtiles: data/make_basemap.py $(DEMO_LAYERS) | $(VENV)/.installed
	$(BIN)/python data/make_basemap.py --tiles $@

static/tiles/demo/tileset.json: build/demo-basemap.mbtiles geo/tiles.py | $(VENV)/.installed
	$(BIN)/hexpatrol basemap import $< --name demo

assets: install static/vendor/.complete static/tiles/demo/tileset.json

# What the app's main job needs from Debian: Noto CJK fonts (Chinese on the briefing's and the
# plan's maps) and LibreOffice (the briefing's PDF). Installed when missing (root or sudo);
# without either the app still starts and says on its pages what is missing.
system-run-deps:
	@missing=""; \
	fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	      --no-install-recommends $$missing; } \
	  || echo "warning: could not install$$missing (needs root or sudo): briefings will lack them"; \
	fi

# Debian packages the tests need, installed only when missing (root or sudo): Chromium for
# the browser tests, Noto CJK fonts for Chinese in screenshots and PDFs, LibreOffice to turn
# briefings into PDF, poppler-utils (pdftoppm) to look at them, PostgreSQL's server binaries
# for the store tests (they start a throwaway cluster of their own: the package is told not
# to create, and so not to start, its default cluster), Java 17 for Apache Spark (the
# screening tests start Spark locally and a standalone master + worker on 127.0.0.1).
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
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

# Several app processes behind nginx (many users at once): `make serve WORKERS=2 PORT=8501`.
WORKERS ?= 2
system-serve-deps:
	@[ -x /usr/sbin/nginx ] || { echo "installing Debian package nginx-light"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends nginx-light && { $(SUDO) systemctl disable --now nginx 2>/dev/null || true; }; }

serve: assets system-run-deps system-serve-deps passes
	$(BIN)/hexpatrol serve --workers $(WORKERS) --port $(PORT)

run: assets system-run-deps passes
	$(BIN)/python -m app_pages.launch --server.port $(PORT)

test: install-test assets system-run-deps system-test-deps
	$(BIN)/ruff check geo layers app.py app_pages tests data bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=25

lint:
	$(BIN)/ruff check geo layers app.py app_pages tests data bench

typecheck:
	$(BIN)/mypy

demo: install
	$(BIN)/python data/make_demo.py
	$(BIN)/python data/make_basemap.py --layers-only

clean:
	rm -rf $(VENV) static/vendor static/tiles build .pytest_cache .mypy_cache .ruff_cache

# Benchmarks against peers (results go in docs/BENCHMARKS.md); QUICK=1 for small sizes.
bench: install-test assets
	$(BIN)/python bench/bench_gistar.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_mclp.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_aggregate.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_map.py $(if $(QUICK),--quick)
	$(BIN)/python bench/bench_screen.py $(if $(QUICK),--quick)

# Concurrent sessions replayed over Streamlit's websocket against the app (results go in
# docs/BENCHMARKS.md): N = 1, 10, 25, 50 with 5-15 s and 1-3 s think time, a fresh
# `streamlit run` each (about an hour); QUICK=1 for N = 5 (a minute or two);
# LOAD_ARGS="--url http://host:port" to drive a running app or a proxy instead.
bench-load: install-test assets
	$(BIN)/python bench/bench_load.py $(if $(QUICK),--quick) $(LOAD_ARGS)
