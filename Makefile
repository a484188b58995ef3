# Two commands set everything up on a fresh machine with Python 3.11:
#   make book   - virtual environment, install, execute every chapter, build _build/html
#   make test   - same environment, run every test (including a clean build of the book)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_FLAGS := --all -n -W --keep-going

CHROMIUM := /usr/bin/chromium

.PHONY: install book test bench screenshots lab clean

install: $(STAMP)

# The browser tests drive Debian's Chromium (never a downloaded browser); machines here run as root.
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# Build matplotlib's font cache now, so that no chapter prints the notice while executing.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

book: install
	$(BIN)/python -m densing._book build . $(BOOK_FLAGS)  # jupyter-book build, pages read in parallel
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

test: install $(CHROMIUM)
	$(BIN)/python -m pytest

# A screenshot of every page and every slide of the site `make book` built, in _build/screenshots/.
screenshots: book $(CHROMIUM)
	DENSING_SITE=$(CURDIR)/_build/html DENSING_SCREENSHOTS=1 $(BIN)/python -m pytest -q \
		tests/test_browser.py tests/test_slides.py -k "CleanOffline or runs_offline"
	@echo "Screenshots: $(CURDIR)/_build/screenshots/"

bench: install $(CHROMIUM)
	$(BIN)/python tests/benchmark.py

# JupyterLab on chapters/ (open a chapter with right-click > Open With > Notebook). As root, as in
# a container, it needs --allow-root; LAB_IP=0.0.0.0 makes it reachable from outside a container.
LAB_IP   ?= 127.0.0.1
LAB_PORT ?= 8888
lab: install
	$(BIN)/jupyter lab chapters/ --no-browser --ip=$(LAB_IP) --port=$(LAB_PORT) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf _build
