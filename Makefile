# Two commands set everything up on a fresh machine with Python 3.11:
#   make demo   builds kb.db from examples/ and serves it with Datasette on 127.0.0.1:8001
#   make test   runs the test suite (what CI runs)
#   make install-check   installs kb as a user would (fresh venv, Python 3.11's own pip) and smoke-tests it
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: demo build serve test test-fast install-check bench clean

$(BIN)/kb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: build serve

build: $(BIN)/kb
	$(BIN)/kb build examples/ --db kb.db

serve: $(BIN)/kb
	$(BIN)/kb serve kb.db --host $(HOST) --port $(PORT)

test: $(BIN)/kb
	$(BIN)/python -m pytest -q

test-fast: $(BIN)/kb
	$(BIN)/python -m pytest -q -m "not slow"

# A user's install: a fresh venv with the pip Python 3.11 ships (no upgrade), `pip install .`
# (no extras), then a build of examples/ and an annotate smoke test.
install-check:
	set -e; dir=$$(mktemp -d -t kb-install-check.XXXXXX); \
	python3.11 -m venv $$dir/venv; \
	$$dir/venv/bin/python -m pip --version; \
	$$dir/venv/bin/python -m pip install --quiet .; \
	$$dir/venv/bin/kb build examples/ --db $$dir/x.db --no-progress; \
	echo '{"id": "1", "text": "Jens Stoltenberg met Zelensky in Kyiv."}' | $$dir/venv/bin/kb annotate | grep '"qid": "Q'; \
	rm -rf $$dir

# One table from one run: kb build vs bare spaCy, stages, re-run, -j 2, RSS, database size
# (reads ../shared/corpus; N=1796 for the whole corpus). CI runs `python -m bench --smoke` as a test.
N ?= 200
bench: $(BIN)/kb
	$(BIN)/python -m bench --documents $(N)

clean:
	rm -rf $(VENV) kb.db kb.db-wal kb.db-shm *.egg-info
