# Parley's two commands:
#   make run    install what is missing, then open the app
#   make test   install what is missing, then lint and run every test
#               (unit, integration, and end-to-end in a real window under Xvfb)
# Others: make build, make lint, make e2e, make bench, make fuzz, make coverage,
# make release, make package.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
# The target dir lives outside the clone so fresh clones build incrementally.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/parley/target
CARGO ?= cargo
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: run build test lint unit e2e bench fuzz coverage release package screenshots deps test-deps seed-demo check-db check-vulkan

deps:
	@bash scripts/install-deps.sh run

test-deps:
	@bash scripts/install-deps.sh test

run: deps
	$(CARGO) run --bin parley

build: deps
	$(CARGO) build --bin parley

test: test-deps lint
	$(XVFB) $(CARGO) test --features e2e

lint:
	@{ [ -x node_modules/.bin/tsc ] && [ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund; } && npx --no-install tsc -p tsconfig.json
	node scripts/check-i18n.mjs
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --features e2e -- -D warnings

unit:
	$(CARGO) test

e2e: test-deps
	$(XVFB) $(CARGO) test --features e2e --test e2e

# The tour of the main screens in light and dark, axe-checked, written to
# docs/screenshots/ for the README (make test tours the dark theme only).
screenshots: test-deps
	PARLEY_SHOTS=$(CURDIR)/docs/screenshots PARLEY_TOUR_THEMES=light,dark \
		$(XVFB) $(CARGO) test --features e2e --test tour_window

# Compile-checks the built-in engine's Vulkan back end (GPU); not part of
# `make test` (docs/LOCAL_MODELS.md). The usual target dir: only the llama
# crates and Parley differ by the feature, so the rest is reused. Where the
# system's Vulkan headers are too old (Debian 12), install-deps unpacks
# Debian 13's under ~/.cache/parley/vulkan and the build is pointed there.
VULKAN_NEWER := $(HOME)/.cache/parley/vulkan/usr
check-vulkan:
	@bash scripts/install-deps.sh vulkan
	@if [ -f $(VULKAN_NEWER)/include/vulkan/vulkan.hpp ]; then \
		echo "==> Vulkan headers from $(VULKAN_NEWER)"; \
		export VULKAN_SDK=$(VULKAN_NEWER) CPLUS_INCLUDE_PATH=$(VULKAN_NEWER)/include C_INCLUDE_PATH=$(VULKAN_NEWER)/include; \
	fi; \
	$(CARGO) check --features vulkan

# Benchmarks, release build, in a real window under Xvfb; numbers go to
# docs/BENCHMARKS.md by hand, with this command.
bench: test-deps
	$(CARGO) bench --bench db
	$(CARGO) bench --bench documents
	$(CARGO) bench --bench memory
	$(CARGO) bench --bench branch
	$(CARGO) bench --bench group
	$(CARGO) bench --bench local_engine
	$(XVFB) $(CARGO) bench --features e2e --bench window
	$(XVFB) $(CARGO) bench --features e2e,bench-timing --bench stream

# Fuzz the card and chat parsers (cargo-fuzz, libFuzzer, nightly toolchain)
# for FUZZ_SECONDS each, from the seeds in fuzz/seeds; the corpus grows in
# ~/.cache/parley/fuzz. No sanitizer: the crate forbids `unsafe`, so what
# fuzzing looks for is panics, hangs and runaway memory.
FUZZ_SECONDS ?= 300
FUZZ_DIR := $(HOME)/.cache/parley/fuzz
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@for t in card chat; do \
		mkdir -p $(FUZZ_DIR)/corpus/$$t && cp -n fuzz/seeds/$$t/* $(FUZZ_DIR)/corpus/$$t/; \
		$(CARGO) +nightly fuzz run --fuzz-dir fuzz --sanitizer none --target-dir $(FUZZ_DIR)/target \
			$$t $(FUZZ_DIR)/corpus/$$t -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
			-timeout=10 || exit 1; \
	done

# Line coverage of the Rust code with cargo-tarpaulin (LLVM engine), e2e
# excluded. Installs tarpaulin on first use (a few minutes).
coverage: test-deps
	@command -v cargo-tarpaulin >/dev/null || $(CARGO) install cargo-tarpaulin --locked
	$(CARGO) tarpaulin --engine llvm --skip-clean --out Stdout \
		--target-dir $(HOME)/.cache/parley/coverage \
		--exclude-files 'tests/*' --exclude-files 'src-tauri/build.rs'

release: deps
	$(CARGO) build --release --features custom-protocol --bin parley

# Release packages with Tauri's bundler (the npm devDependency
# @tauri-apps/cli): a .deb and an .rpm in the target dir's release/bundle,
# with the desktop entry, icons, metadata and licence (docs/PACKAGING.md).
package: deps
	@[ -x node_modules/.bin/tauri ] || npm ci --no-audit --no-fund
	npx --no-install tauri build --bundles deb,rpm
	@ls -l $(CARGO_TARGET_DIR)/release/bundle/deb/*.deb $(CARGO_TARGET_DIR)/release/bundle/rpm/*.rpm

seed-demo:
	$(CARGO) run --bin parley -- db seed-demo

check-db:
	$(CARGO) run --bin parley -- db check
