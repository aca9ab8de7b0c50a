# The README's two commands: `make demo` and `make test`. Each installs a locked, hashed set of
# dependencies into a venv of its own first: requirements.lock (the core with the raw and sign
# extras: everything the demo and the README's tour run) into .venv for the demo,
# requirements-test.lock (every extra, Spark included, with the test tools) into .venv-test.
# requirements-core.lock is the core alone (what `pip install govdocs` brings): `make core`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
TEST_VENV ?= .venv-test
TEST_BIN := $(TEST_VENV)/bin
TEST_LOCK := requirements-test.lock
# The demo renders the raw examples and the Connect export (raw) and the tour signs and imports
# a plan (sign); Spark is left to the tests.
DEMO_EXTRAS := raw sign
CORE_VENV ?= .venv-core
CORE_LOCK := requirements-core.lock
QUARTER ?= 2026-Q3
# The example tells the story of Q3 2026 as reviewed in mid-October: pinned, so the demo's
# documents (and the proposed actions' due dates) are the same whatever day it runs.
AS_OF ?= 2026-10-15
EXAMPLE := --config examples/governance.yaml --data examples/data/kpis.csv --inputs examples/inputs
DOCS := $(EXAMPLE) --as-of $(AS_OF)
DOCS_NO_INPUTS := --config examples/governance.yaml --data examples/data/kpis.csv --as-of $(AS_OF)
# The lock's tool, pinned so that `make lock` writes the same files wherever it runs.
UV_VERSION := 0.13.8
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet

.PHONY: demo core test test-latest lock lock-upgrade lint bench bench-raw clean fuzz

# A venv holds exactly its lock: made anew with `python3 -m venv` whenever the lock changes, so
# nothing installed before (or by hand) survives. scripts/locked_install.py brings the venv's pip
# to the lock's version, installs the lock with --no-deps (pip resolves nothing, so whatever the
# registry serves today cannot enter) and checks that the venv holds exactly the lock's packages
# and that their requirements are all met by them. govdocs itself is then installed without its
# dependencies and without a build environment of its own (setuptools comes from the lock).
$(VENV)/.locked: $(LOCK) scripts/locked_install.py
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python scripts/locked_install.py $(LOCK) $(DEMO_EXTRAS:%=--extras %)
	touch $@

$(CORE_VENV)/.locked: $(CORE_LOCK) scripts/locked_install.py
	rm -rf $(CORE_VENV)
	$(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python scripts/locked_install.py $(CORE_LOCK)
	touch $@

$(TEST_VENV)/.locked: $(TEST_LOCK) scripts/locked_install.py
	rm -rf $(TEST_VENV)
	$(PYTHON) -m venv $(TEST_VENV)
	$(TEST_BIN)/python scripts/locked_install.py $(TEST_LOCK) --extras test
	touch $@

# Non-editable install: the demo runs exactly what users get from `pip install .`
# Last step: every document again, computed from the raw ACD, survey and QA exports (with the
# attrition the partners report) in one command: the same documents, plus channel and
# programme breakdowns. Then the KPIs of the Amazon Connect export (examples/raw/connect/), read
# as Connect delivers it.
demo: $(VENV)/.locked
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	$(BIN)/govdocs validate $(EXAMPLE) --quarter $(QUARTER)
	$(BIN)/govdocs build $(DOCS) --quarter $(QUARTER) --actions examples/actions \
		--assessments examples/assessments --out output --force
	$(BIN)/govdocs offboarding $(DOCS_NO_INPUTS) --quarter $(QUARTER) --partner BRV \
		--assessments examples/assessments/BRV.yaml --out output --force
	$(BIN)/govdocs build --config examples/governance.yaml --raw examples/raw/mapping.yaml \
		--data examples/raw/partner_reported.csv --inputs examples/inputs --actions examples/actions \
		--assessments examples/assessments --quarter $(QUARTER) --as-of $(AS_OF) \
		--out output/from-raw --force
	$(BIN)/govdocs aggregate --config examples/governance.yaml --raw examples/raw/connect/mapping.yaml \
		--out output/from-connect/kpis.csv --force

# The core alone, as `pip install govdocs` has it (no extra): renders from KPI files; its size is
# what docs/performance.md reports.
core: $(CORE_VENV)/.locked
	$(CORE_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation .
	@du -sm $$($(CORE_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])") \
		| awk '{print "core venv site-packages: " $$1 " MB"}'

test: $(TEST_VENV)/.locked
	$(TEST_BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(TEST_BIN)/python -m pytest -q -n auto --dist loadscope

# The drift check (not part of .ci/run): the suite on the newest releases that pyproject.toml
# allows, in a venv of its own, so a break in a new release is seen here first, not by a user.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip setuptools
	.venv-latest/bin/python -m pip install --quiet --upgrade -e ".[test]"
	.venv-latest/bin/python -m pytest -q -p no:cacheprovider -n auto --dist loadscope

# Regenerate the three locks after a change to the dependencies in pyproject.toml: pins already in
# the locks are kept where they still fit. The test lock is resolved first; the demo's lock (the
# core with DEMO_EXTRAS) and the core's are then resolved under it as a constraint, so every package
# the demo or the core installs is the very file (same version, same hashes) the tests ran with.
# `make lock-upgrade` moves every pin to the newest release.
define compile_locks
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet uv==$(UV_VERSION)
	.venv-lock/bin/uv pip compile $(1) pyproject.toml requirements-build.in --extra test $(LOCK_FLAGS) -o $(TEST_LOCK)
	.venv-lock/bin/uv pip compile pyproject.toml requirements-build.in $(DEMO_EXTRAS:%=--extra %) -c $(TEST_LOCK) \
		$(LOCK_FLAGS) -o $(LOCK)
	.venv-lock/bin/uv pip compile pyproject.toml requirements-build.in -c $(TEST_LOCK) $(LOCK_FLAGS) -o $(CORE_LOCK)
endef

lock:
	$(call compile_locks,)

lock-upgrade:
	$(call compile_locks,--upgrade)

# The loaders' fuzz harness with a long budget: FUZZ_EXAMPLES random inputs per target.
FUZZ_EXAMPLES ?= 5000
fuzz: $(TEST_VENV)/.locked
	$(TEST_BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	GOVDOCS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(TEST_BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

lint: $(TEST_VENV)/.locked
	$(TEST_BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(TEST_BIN)/ruff check govdocs tests scripts

clean:
	rm -rf $(VENV) $(TEST_VENV) $(CORE_VENV) .venv-latest .venv-lock build dist *.egg-info output/20* output/from-raw output/from-connect

bench: $(VENV)/.locked
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	$(BIN)/python benchmarks/run.py

# Raw records -> KPIs at 10 million rows (writes about 300 MB of Parquet to /tmp on first run), then
# the drill-down (where a gap is) against the KPIs alone on 10 million records with queue and agent.
bench-raw: $(TEST_VENV)/.locked
	$(TEST_BIN)/python -m pip install --quiet --no-deps --no-build-isolation .
	$(TEST_BIN)/python benchmarks/raw_bench.py --rows 10000000
	$(TEST_BIN)/python benchmarks/raw_bench.py --drill --rows 10000000
