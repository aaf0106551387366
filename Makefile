# The Rust concurrency lab. Every target installs what it needs first (see README.md).
#   make report   execute every notebook, write reports/*.html and reports/index.html (the claim ledger)
#   make lab      JupyterLab on 127.0.0.1 with the notebooks
#   make test     everything CI checks (.ci/run calls this), the browser test (make e2e) included
#   make bench    the release lab binary's headline numbers, and what recording timelines costs, into results/
#   make bench-kernel   how long the kernel takes per cell (first cell, later cells, re-run), into results/
#   make gallery  every chart of the latest make report on one page (reports/gallery.html), checked against the charts' rules
#   make soak     every experiment N times (N=5; ONLY=q3,q5 a subset): per claim the verdicts seen, flips, spread

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
EVCXR_VERSION := 0.22.0
# Where `cargo install` puts evcxr_jupyter (CARGO_INSTALL_ROOT, else CARGO_HOME, else ~/.cargo).
CARGO_BIN := $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)
LAB := target/release/lab
# A set-up step prints two lines (what starts, how it ended); its output goes to target/setup/NAME.log.
STEP := tools/step.sh

.PHONY: setup mold venv evcxr kernel lab-bin report gallery lab test test-rust test-notebooks chromium e2e bench bench-kernel soak strip clean distclean

# The venv and mold (network-bound), the evcxr_jupyter install and the lab binary (CPU-bound) go at once; the
# kernelspec last.
setup:
	@$(MAKE) --no-print-directory -j4 venv evcxr lab-bin mold
	@$(PY) tools/kernelspec.py

venv: $(VENV)/.installed
	@:
$(VENV)/.installed: requirements.txt
	@$(STEP) venv "Python venv $(VENV) with JupyterLab, nbconvert, nbclient, pytest (requirements.txt)" \
	  '$(PYTHON) -m venv $(VENV) && $(PY) -m pip install --disable-pip-version-check -r requirements.txt'
	@touch $@

# rust-analyzer's assists, diagnostics and structural search are built into evcxr but never called: it asks
# rust-analyzer for variable types (each cell) and completions (Tab). Built unoptimized they take 49 CPU-s less of
# the install (582 against 631), and make bench-kernel found no cell, first cell or Tab completion slower.
EVCXR_UNOPTIMIZED := ra_ap_ide_assists ra_ap_ide_diagnostics ra_ap_ide_ssr
evcxr:
	@if cargo install --list | grep -q "^evcxr_jupyter v$(EVCXR_VERSION):"; then \
	  echo "==> evcxr_jupyter $(EVCXR_VERSION) already installed"; \
	else \
	  $(STEP) evcxr "installing evcxr_jupyter $(EVCXR_VERSION) with cargo: a one-time build of 5-10 minutes on 2 cores" \
	    'cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION) \
	      $(foreach p,$(EVCXR_UNOPTIMIZED),--config profile.release.package.$(p).opt-level=0)'; \
	fi

# evcxr links each cell with mold where it finds it: about 0.1 s less a cell than the system linker
# (make bench-kernel, slot-warm vs slot-warm-system-ld). Without root or apt it carries on with the system linker.
mold:
	@if ! command -v mold >/dev/null; then \
	  $(STEP) mold "installing mold (Debian's package), the linker the kernel uses for each cell" \
	    '$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mold' \
	    || echo "warning: mold not installed; the kernel links with the system linker (slower per cell)"; \
	fi

kernel: venv evcxr
	@$(PY) tools/kernelspec.py

lab-bin:
	@$(STEP) lab-bin "building the release lab binary ($(LAB))" 'cargo build --release --bin lab'

# make report NOTEBOOKS="03 05"   only those; CODE=fold|hide   code cells folded or left out (default: shown);
# RESULTS="dir ..."               more folders of result JSON (another machine's) beside this one's in the index
report: setup
	@$(PY) tools/report.py $(NOTEBOOKS) $(if $(CODE),--code $(CODE)) $(foreach d,$(RESULTS),--results $(d))

# Reads the executed notebooks make report keeps in reports/; says what breaks the visual language, if anything.
gallery: venv
	@$(PY) tools/gallery.py

lab: setup
	@echo "==> JupyterLab on 127.0.0.1; open the URL it prints (with its token). Ctrl-C stops it."
	$(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser --notebook-dir notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test-rust:
	@echo "==> cargo fmt --check, clippy -D warnings, cargo test"
	cargo fmt --all -- --check
	cargo clippy --all-targets --quiet -- -D warnings
	cargo clippy --no-default-features --lib --quiet -- -D warnings  # the notebook side, as evcxr builds it
	cargo test --quiet

test-notebooks: setup
	@echo "==> pytest: notebooks stripped, executed through the kernel, HTML exports, JupyterLab kernelspecs"
	$(PY) -m pytest -q tests

# Debian's chromium for the browser test: Playwright drives it, and never downloads a browser of its own.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
CHROMIUM := /usr/bin/chromium

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> installing Debian's chromium for the browser test"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

e2e: setup chromium
	@echo "==> JupyterLab in chromium: notebook 03 run, edited, stopped; reports offline; Stop in 02's and 08's pools; 01's and 03's timelines (about 6 minutes)"
	$(PY) -m pytest -q tests/e2e

test: setup test-rust test-notebooks e2e

bench: lab-bin venv
	@mkdir -p results
	@echo "==> every experiment with the notes' parameters (about 5 minutes on 2 cores) -> results/"
	@cores=$$(nproc); names=$$($(LAB) list --names); for e in $$names; do \
	  echo "--> lab $$e"; $(LAB) $$e > results/$$e-$${cores}cores.json; done; \
	$(PY) tools/bench_summary.py $$(for e in $$names; do echo results/$$e-$${cores}cores.json; done)
	@echo "==> what recording timelines costs: q3 and q1 with and without it, alternated (about 2 minutes)"
	$(PY) tools/bench_recording.py

# make bench-kernel VARIANTS=slot-warm,cache-warm   the kernel's answer time per cell (first cell, later cells,
#                                                   chart cells, re-run from the parameters) -> results/bench-kernel.json
bench-kernel: setup
	@echo "==> the Rust kernel's answer time, notebook 03 at a 4 s experiment (about 2 minutes a variant)"
	$(PY) tools/bench_kernel.py $(if $(VARIANTS),--variants $(VARIANTS))

# make soak N=5 ONLY=q3,q5   each experiment N times, interleaved, into results/soak/<n>/; then per claim the
#                            verdicts seen, the runs off the majority and the spread of the number each rule compares
N ?= 5
soak: lab-bin venv
	@echo "==> $(or $(ONLY),every experiment) $(N) times, interleaved (all of them: about 6 minutes a round on 2 cores) -> results/soak/"
	$(PY) tools/soak.py $(N) $(if $(ONLY),--only $(ONLY))

strip: venv
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb  # --keep-id: cell ids stay, diffs stay small

clean:
	rm -rf reports results

distclean: clean
	rm -rf $(VENV) target
