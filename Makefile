# The README's two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUARTER ?= 2026-Q3
# The example tells the story of Q3 2026 as reviewed in mid-October: pinned, so the demo's
# documents (and the proposed actions' due dates) are the same whatever day it runs.
AS_OF ?= 2026-10-15
EXAMPLE := --config examples/governance.yaml --data examples/data/kpis.csv --inputs examples/inputs
DOCS := $(EXAMPLE) --as-of $(AS_OF)
DOCS_NO_INPUTS := --config examples/governance.yaml --data examples/data/kpis.csv --as-of $(AS_OF)

.PHONY: demo test lint bench bench-raw clean fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Non-editable install: the demo runs exactly what users get from `pip install .`
# Last step: every document again, computed from the raw ACD, survey and QA exports (with the
# attrition the partners report) in one command: the same documents, plus channel and
# programme breakdowns.
demo: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/govdocs validate $(EXAMPLE) --quarter $(QUARTER)
	$(BIN)/govdocs build $(DOCS) --quarter $(QUARTER) --actions examples/actions \
		--assessments examples/assessments --out output --force
	$(BIN)/govdocs offboarding $(DOCS_NO_INPUTS) --quarter $(QUARTER) --partner BRV \
		--assessment examples/assessments/BRV.yaml --out output --force
	$(BIN)/govdocs build --config examples/governance.yaml --raw examples/raw/mapping.yaml \
		--data examples/raw/partner_reported.csv --inputs examples/inputs --actions examples/actions \
		--assessments examples/assessments --quarter $(QUARTER) --as-of $(AS_OF) \
		--out output/from-raw --force

test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pytest -q

# The loaders' fuzz harness with a long budget: FUZZ_EXAMPLES random inputs per target.
FUZZ_EXAMPLES ?= 5000
fuzz: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	GOVDOCS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

lint: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/ruff check govdocs tests scripts

clean:
	rm -rf $(VENV) build dist *.egg-info output/20* output/from-raw

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/python benchmarks/run.py

# Raw records -> KPIs at 10 million rows (writes about 300 MB of Parquet to /tmp on first run).
bench-raw: $(BIN)/python
	$(BIN)/python -m pip install --quiet .
	$(BIN)/python benchmarks/raw_bench.py --rows 10000000
