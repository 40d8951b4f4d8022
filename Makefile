# Two commands for a newcomer: `make run` (the app) and `make test` (every test).
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
# CI builds once from clean: incremental caches would only add gigabytes to a full disk.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif

.PHONY: run test deps test-deps ui-deps ui lint test-rust test-ui test-e2e bench bench-engine bench-playback bench-session bench-download bench-sound bench-sync bench-cli bench-feeds bench-memory fuzz bundle screenshots

# One cargo build for `make run`, `make test` and `make test-package`: every target of the
# workspace, so that features unify alike and whichever runs second compiles nothing new
# (`cargo run -p chaptercast` alone would rebuild ~120 crates with other features).
APP_BUILD = $(CARGO) build --workspace --all-targets

# `chaptercast` with no subcommand execs the app built beside it, `chaptercast-app`.
run: deps ui
	$(APP_BUILD)
	target/debug/chaptercast

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

# The binaries are built first (the CLI and WebDriver tests run them), with every target so that
# features resolve exactly as for `cargo test` and nothing is compiled twice.
test-rust: ui
	$(APP_BUILD)
	scripts/check-run-build.sh
	scripts/test-env.sh $(CARGO) test --workspace
	@git diff --exit-code -- ui/src/api/bindings.ts || { echo "ui/src/api/bindings.ts is out of date: commit the regenerated file" >&2; exit 1; }

bench: bench-engine bench-playback bench-session bench-download bench-sound bench-sync bench-cli bench-feeds bench-memory

bench-engine:
	$(CARGO) bench -p chaptercast-engine

# Chaptercast next to ffplay and mpv on the same URL and null sink (release build).
bench-playback: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast-cli
	$(CARGO) build --release -p chaptercast-e2e --bin playback_bench
	scripts/test-env.sh target/release/playback_bench

# The window's memory (all processes' PSS) next to an empty Tauri window and gPodder with the
# same 455-episode feed: at start, after 200 episode opens, while playing (release build).
bench-memory: test-deps ui
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast --bins
	$(CARGO) build --release -p chaptercast-e2e --bin memory_bench
	CHAPTERCAST_APP_BIN=$(CURDIR)/target/release/chaptercast-app scripts/test-env.sh target/release/memory_bench

# Reconnect, resume after an outage and going on to the next episode, next to ffplay and mpv
# (release build).
bench-session: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast-cli
	$(CARGO) build --release -p chaptercast-e2e --bin session_bench
	scripts/test-env.sh target/release/session_bench

# CPU at 2x with the whole sound chain on, next to the same file plain and ffplay/mpv with
# their own filters (release build).
bench-sound: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast-cli
	scripts/test-env.sh scripts/bench-sound.sh target/release/chaptercast

# A first sync and a sync with nothing new (455 played episodes), next to mygpoclient sending and
# reading the same actions, against podsync (release build).
bench-sync: test-deps
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast-cli
	scripts/bench-sync.sh target/release/chaptercast

# `chaptercast --version` (start-up: what every script pays) next to other command lines
# --version, alternating, median of 30 runs and peak memory (release build). BEFORE=<binary>
# adds another build of chaptercast to the same run (e.g. main's, for a before/after).
bench-cli:
	$(CARGO) build --release -p chaptercast-cli
	scripts/bench-cli.sh target/release/chaptercast $(BEFORE)

# `chaptercast feed --json` next to podcastparser on the corpus's largest feed and a 5,005-item one.
bench-feeds:
	@scripts/install-deps.sh --bench
	$(CARGO) build --release -p chaptercast-cli
	scripts/bench-feed-json.sh target/release/chaptercast

# `chaptercast download` next to curl on a 200 MB loopback URL (release build).
bench-download:
	$(CARGO) build --release -p chaptercast-cli
	$(CARGO) build --release -p chaptercast-e2e --bin download_bench
	target/release/download_bench

# cargo-fuzz targets for the engine's parsers (fuzz/); FUZZ_RUNS=N per target, default 1000000.
fuzz:
	scripts/fuzz.sh

# The .deb users install, in target/release/bundle/deb/: the app (/usr/bin/chaptercast-app), the
# command line (/usr/bin/chaptercast), the desktop entry (registered for podcast links, feeds and
# OPML files), icons, AppStream metainfo and man page, checked like test-package's. Built first
# and bundled second, so that the man page comes from the binary being packed. The command line
# is staged in target/package/, where tauri.conf.json's bundle.linux.deb.files takes it from.
# No AppImage: Tauri's AppImage step downloads its tools from GitHub.
bundle: deps ui
	cd src-tauri && ../ui/node_modules/.bin/tauri build --no-bundle
	$(CARGO) build --release -p chaptercast-cli
	$(call stage_cli,release)
	rm -rf target/release/bundle/deb
	cd src-tauri && ../ui/node_modules/.bin/tauri bundle --bundles deb
	scripts/check-package.sh --install-missing target/release/bundle/deb/*.deb

# `make test`'s debug build packed as a .deb (target/debug/bundle/deb/) and checked by
# scripts/check-package.sh: Depends against what both binaries link, the control fields, desktop
# entry, metainfo and man page, and an install into a throwaway root. The cargo line is the one
# test-rust runs, so after `make test` it compiles nothing (`tauri build` would: it builds the
# app crate alone, and the engine without the test crate's features). --no-binary-patching
# leaves that binary as the tests ran it.
.PHONY: test-package
test-package: deps ui-deps
	$(APP_BUILD)
	$(call stage_cli,debug)
	rm -rf target/debug/bundle/deb
	cd src-tauri && ../ui/node_modules/.bin/tauri bundle --debug --bundles deb --no-binary-patching
	scripts/check-package.sh --install-missing target/debug/bundle/deb/*.deb

# The command line of profile $(1) and its man page, rendered by it, where the .deb takes them
# (tauri.conf.json: bundle.linux.deb.files).
define stage_cli
	mkdir -p target/package
	cp target/$(1)/chaptercast target/package/chaptercast
	target/package/chaptercast man > target/package/chaptercast.1
	gzip -9nf target/package/chaptercast.1
endef

# The README's screenshots: a replica Meta Tech Podcast episode playing from a chapter, light and
# dark, taken by the window-size test (tests/tests/app_layout.rs) and cut to the window.
screenshots: test-deps ui
	$(APP_BUILD)
	scripts/test-env.sh $(CARGO) test --workspace --test app_layout
	for theme in light dark; do convert artifacts/e2e/readme-$$theme.png -crop 1280x800+0+0 +repage docs/screenshot-$$theme.png; done
