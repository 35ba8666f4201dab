# AMI Desk — `make run` builds and serves, `make test` runs every test tier.
# Each target installs what it lacks (quietly when it is already there).

SHELL := /bin/bash
.DEFAULT_GOAL := run

WASM_BINDGEN_VERSION := 0.2.130
MOTO_VERSION := 5.2.6
TOOLS_DIR ?= $(HOME)/.cache/amidesk
# Reuse one cargo target directory outside the clone, so a fresh clone builds incrementally.
export CARGO_TARGET_DIR ?= $(TOOLS_DIR)/target
MOTO_VENV := $(TOOLS_DIR)/moto-venv
export AMIDESK_MOTO_SERVER ?= $(MOTO_VENV)/bin/moto_server
SITE := $(CURDIR)/target/site
export AMIDESK_SITE_ROOT ?= $(SITE)
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
WASM_OUT := $(CARGO_TARGET_DIR)/wasm32-unknown-unknown/wasm-release/amidesk.wasm
SERVER_BIN := $(CARGO_TARGET_DIR)/release/amidesk
# mimalloc: commit arena memory lazily and return freed pages at once (idle memory 56 -> 37 MB
# after load, no throughput cost; see BENCHMARKS.md).
ALLOCATOR_ENV := MIMALLOC_ARENA_EAGER_COMMIT=0 MIMALLOC_PURGE_DELAY=0
DEBUG_BIN := $(CARGO_TARGET_DIR)/debug/amidesk

.PHONY: run test tools build site server lint unit e2e bench bench-accept-sizes soak clean

## run: build (release) and serve on http://127.0.0.1:3000 with ./data/amidesk.db
run: site server
	$(ALLOCATOR_ENV) $(SERVER_BIN)

## test: unit + integration (moto) + end-to-end (Playwright + chromium)
test: tools site lint unit e2e

## build: everything `make run` serves, without serving it
build: site server

tools: .tools/wasm-target .tools/wasm-bindgen .tools/npm .tools/moto .tools/chromium

.tools/wasm-target:
	@mkdir -p .tools
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@touch $@

.tools/wasm-bindgen:
	@mkdir -p .tools
	@wasm-bindgen --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --quiet
	@touch $@

.tools/npm: package.json
	@mkdir -p .tools
	@npm install --no-audit --no-fund --silent
	@touch $@

.tools/moto:
	@mkdir -p .tools
	@$(MOTO_VENV)/bin/pip show moto 2>/dev/null | grep -q "Version: $(MOTO_VERSION)" || \
		( python3 -m venv $(MOTO_VENV) && $(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)' )
	@$(MOTO_VENV)/bin/pip show openapi-spec-validator >/dev/null 2>&1 || \
		$(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check 'openapi-spec-validator==0.9.0'
	@touch $@

.tools/brotli:
	@mkdir -p .tools
	@command -v brotli >/dev/null || \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli >/dev/null )
	@touch $@

.tools/chromium:
	@mkdir -p .tools
	@command -v chromium >/dev/null || \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null )
	@touch $@

## site: the hydration bundle (wasm + js), the stylesheet and public files under target/site.
## The bundle is split at the lazy routes (src/pages.rs): the main module holds the shell,
## the request list and sign-in; every other page's code is fetched when it is first shown.
WASM_SPLIT := $(CARGO_TARGET_DIR)/release/amidesk-wasm-split
WASM_MAIN := $(CARGO_TARGET_DIR)/wasm-split/amidesk.wasm
WASM_OPT_FLAGS := -Oz --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
site: .tools/wasm-target .tools/wasm-bindgen .tools/npm .tools/brotli $(WASM_SPLIT)
	cargo build --quiet --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
	@rm -rf $(SITE)/pkg && mkdir -p $(SITE)/pkg $(dir $(WASM_MAIN))
	$(WASM_SPLIT) $(WASM_OUT) $(SITE)/pkg $(WASM_MAIN)
	@# --keep-lld-exports: the chunks link to the main module's function table.
	wasm-bindgen --target web --no-typescript --keep-lld-exports --out-dir $(SITE)/pkg --out-name amidesk $(WASM_MAIN)
	@# wasm-opt every module, two at a time (the main module takes most of the time); its
	@# warnings go to a log, shown only when a module fails.
	ls $(SITE)/pkg/*.wasm | xargs -P 2 -I{} wasm-opt $(WASM_OPT_FLAGS) {} -o {} 2> $(CARGO_TARGET_DIR)/wasm-opt.log \
		|| { cat $(CARGO_TARGET_DIR)/wasm-opt.log; exit 1; }
	@# The JS glue, minified (terser): 8.0 -> 6.2 KB brotli on every page.
	@for f in $(SITE)/pkg/*.js; do terser "$$f" --module --compress --mangle -o "$$f" || exit 1; done
	cp style/main.css $(SITE)/pkg/amidesk.css
	@cp -r public/. $(SITE)/ 2>/dev/null || true
	@# Served precompressed (brotli, else gzip) to browsers that accept them.
	@ls $(SITE)/pkg/*.wasm $(SITE)/pkg/*.js $(SITE)/pkg/amidesk.css | xargs -P 2 -I{} sh -c 'brotli -f -q 11 -o {}.br {} && gzip -f -k -9 {}'

# The splitter (tools/wasm-split, its own small workspace) is built once.
$(WASM_SPLIT): tools/wasm-split/Cargo.toml tools/wasm-split/Cargo.lock tools/wasm-split/src/main.rs
	cargo build --quiet --release --locked --manifest-path tools/wasm-split/Cargo.toml

server:
	cargo build --quiet --release --features ssr --bin amidesk

lint:
	cargo fmt --all -- --check
	cargo clippy --quiet --features ssr --all-targets -- -D warnings

unit: .tools/moto
	cargo test --features ssr

e2e: .tools/npm .tools/chromium
	cargo build --quiet --features ssr --bin amidesk
	AMIDESK_BIN=$(DEBUG_BIN) npx playwright test -c end2end/playwright.config.ts

## soak: the long load and fault runs (100 users for 60 s, also with EC2 failing); prints
## requests, errors and lost writes at the end
SOAK_USERS ?= 100
SOAK_SECS ?= 60
soak: .tools/moto
	AMIDESK_LOAD_USERS=$(SOAK_USERS) AMIDESK_LOAD_SECS=$(SOAK_SECS) \
		cargo test --features ssr --test load --test faults -- --nocapture --test-threads 1 2>&1 \
		| grep -E '^(load|test |test result)|panicked'

## bench: every performance budget against the release build and its baselines, in one
## run; prints the table (target/bench.md) and exits non-zero when a budget is missed
BENCH_DB := $(TOOLS_DIR)/bench/audit.db
LIGHTHOUSE := $(TOOLS_DIR)/lighthouse/node_modules/.bin/lighthouse
RESULTS := target/bench-results.tsv
bench: site server .tools/npm .tools/moto .tools/chromium .tools/bench-tools
	@mkdir -p $(TOOLS_DIR)/bench target
	@rm -f $(RESULTS)
	bench/sizes.py $(SITE)/pkg bench/sizes.txt $(RESULTS)
	LIGHTHOUSE=$(LIGHTHOUSE) bench/run.sh $(SERVER_BIN) $(SITE) $(RESULTS)
	@test -f $(BENCH_DB) || $(SERVER_BIN) --database-url sqlite://$(BENCH_DB) audit seed --events 1000000
	-$(SERVER_BIN) --database-url sqlite://$(BENCH_DB) audit bench --runs 200 --rounds 5 --results $(RESULTS) > target/bench-audit.md
	-bench/audit-export.sh $(SERVER_BIN) $(BENCH_DB) >> target/bench-audit.md
	@set -o pipefail; python3 bench/report.py $(RESULTS) | tee target/bench.md

## bench-accept-sizes: rewrite bench/sizes.txt with the bundle as built now (commit it)
bench-accept-sizes: site
	bench/sizes.py $(SITE)/pkg bench/sizes.txt /dev/null --accept

# wrk, hyperfine and brotli from Debian; oha from crates.io; Lighthouse 12 from npm.
.tools/bench-tools:
	@mkdir -p .tools
	@command -v wrk >/dev/null && command -v hyperfine >/dev/null && command -v brotli >/dev/null || \
		( apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hyperfine brotli >/dev/null )
	@command -v oha >/dev/null || cargo install oha --version 1.16.0 --locked --quiet
	@test -x $(LIGHTHOUSE) || npm install --prefix $(TOOLS_DIR)/lighthouse --no-audit --no-fund --silent lighthouse@12
	@touch $@

clean:
	rm -rf target .tools node_modules
