# Two commands for a newcomer: `make run` (the app) and `make test` (every test).
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
# CI builds once from clean: incremental caches would only add gigabytes to a full disk.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif

.PHONY: run test deps test-deps ui-deps ui lint test-rust test-ui test-e2e bench bench-engine bench-playback bench-session bench-download bench-sound bench-sync fuzz bundle

run: deps ui
	$(CARGO) run -p chaptercast

test: test-deps ui lint test-ui test-rust

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

ui-deps:
	@cd ui && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

ui: ui-deps
	cd ui && npm run build

lint: ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd ui && npm run check

test-ui: ui-deps
	cd ui && npm test

# The app binary is built first (the CLI and WebDriver tests run it), with every target so that
# features resolve exactly as for `cargo test` and nothing is compiled twice.
test-rust: ui
	$(CARGO) build --workspace --all-targets
	scripts/test-env.sh $(CARGO) test --workspace
	@git diff --exit-code -- ui/src/api/bindings.ts || { echo "ui/src/api/bindings.ts is out of date: commit the regenerated file" >&2; exit 1; }

bench: bench-engine bench-playback bench-session bench-download bench-sound bench-sync

bench-engine:
	$(CARGO) bench -p chaptercast-engine

# Chaptercast next to ffplay and mpv on the same URL and null sink (release build).
bench-playback: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast
	$(CARGO) build --release -p chaptercast-e2e --bin playback_bench
	scripts/test-env.sh target/release/playback_bench

# Reconnect, resume after an outage and going on to the next episode, next to ffplay and mpv
# (release build).
bench-session: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast
	$(CARGO) build --release -p chaptercast-e2e --bin session_bench
	scripts/test-env.sh target/release/session_bench

# CPU at 2x with the whole sound chain on, next to the same file plain and ffplay/mpv with
# their own filters (release build).
bench-sound: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast
	scripts/test-env.sh scripts/bench-sound.sh target/release/chaptercast

# A first sync and a sync with nothing new (455 played episodes), next to mygpoclient sending and
# reading the same actions, against podsync (release build).
bench-sync: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast
	scripts/bench-sync.sh target/release/chaptercast

# `chaptercast download` next to curl on a 200 MB loopback URL (release build).
bench-download:
	$(CARGO) build --release -p chaptercast
	$(CARGO) build --release -p chaptercast-e2e --bin download_bench
	target/release/download_bench

# cargo-fuzz targets for the engine's parsers (fuzz/); FUZZ_RUNS=N per target, default 1000000.
fuzz:
	scripts/fuzz.sh

# A .deb (with its .desktop entry and icons) and an AppImage, made by Tauri's bundler from one
# release build: target/release/bundle/{deb,appimage}/. Tauri's AppImage step downloads its
# tools (AppRun, linuxdeploy) from GitHub on first use; without that access it fails, and says so.
bundle: deps ui
	cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles deb
	cd src-tauri && ../ui/node_modules/.bin/tauri build --bundles appimage || { echo "make bundle: the .deb is in target/release/bundle/deb; the AppImage needs Tauri's tools from github.com (see above)" >&2; exit 1; }
