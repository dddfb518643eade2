# The two commands of the README. Both create the virtualenv .venv when needed.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/ceo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/ceo

## demo: install, process the built-in demo data and build the site into public/
demo: $(BIN)/ceo
	$(BIN)/ceo demo
	$(BIN)/ceo bouw

## test: install (with the Debian packages the tests need) and run all tests
test: $(BIN)/ceo
	bash .ci/system-packages
	$(BIN)/python -m pytest; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest heeft geen enkele test uitgevoerd" >&2; exit 1; fi; \
	exit $$rc

## bench: national scale (342 gemeenten): estimation (and R survey when installed), weighting,
## ceo process, and mkdocs build of the site against plain Markdown pages (fails above 1.5x),
## the JavaScript budget of a factsheet in Chromium, and disclosure control on realistic small gemeenten
bench: $(BIN)/ceo
	$(BIN)/python bench/bench_estimation.py
	$(BIN)/python bench/bench_weighting.py
	$(BIN)/python bench/bench_process.py
	$(BIN)/python bench/bench_national.py
	$(BIN)/python bench/bench_site.py --check
	$(BIN)/python bench/bench_page_weight.py --check
	$(BIN)/python bench/bench_disclosure.py

clean:
	rm -rf public uitvoer invoer/demo site/20* site/actueel
