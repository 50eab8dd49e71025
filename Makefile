# Two commands from a fresh clone: `make demo` and `make test`. Both install everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APT_PACKAGES := chromium tmux git

.PHONY: setup demo test test-fast check lint corpus site bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[all,dev]'
	touch $(STAMP)

# The main job: compile this repository (incremental; indexes it), then build its docs site.
demo: setup
	$(BIN)/kc build .
	$(BIN)/kc site --corpus corpus --out site
	@echo "corpus/: the knowledge core; site/index.html: the docs site"
	@echo "next: $(BIN)/kc serve   (docs site and tutor chat on http://127.0.0.1:8000/chat)"
	@echo "  or: $(BIN)/kc search 'how is a corpus written atomically'   or: $(BIN)/kc tutor"

# The whole suite (slow tests included), after checking that corpus/ is fresh and the code is lint-clean.
test: setup check lint
	$(BIN)/pytest -q

test-fast: setup
	$(BIN)/pytest -q -m "not slow"

check: setup
	$(BIN)/kc check .

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rebuild the committed corpus after changing the source (commit the source first).
corpus: setup
	$(BIN)/kc build . --no-index

site: setup
	$(BIN)/kc site --corpus corpus --out site

bench: setup
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/concepts.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/tutor.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/mcp.py
	$(BIN)/python bench/site.py
	$(BIN)/python bench/serve.py
	$(BIN)/python bench/robustness.py

clean:
	rm -rf site .kc .pytest_cache test-artifacts
