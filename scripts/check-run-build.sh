#!/usr/bin/env bash
# `make run` after `make test` must open the window without compiling: its cargo build has to
# be test-rust's, and, run now (after test-rust's build), compile nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo_line() { make --no-print-directory -n "$1" | grep -E '(^|/| )cargo (build|run)' | head -1; }
run_build=$(cargo_line run)
test_build=$(cargo_line test-rust)
if [[ -z "$run_build" || "$run_build" != "$test_build" ]]; then
  echo "make run builds with '$run_build' but make test with '$test_build': the second would recompile" >&2
  exit 1
fi
out=$(eval "$run_build" 2>&1)
if grep -q '^ *Compiling' <<<"$out"; then
  echo "make run's build after make test's compiled again:" >&2
  grep '^ *Compiling' <<<"$out" >&2
  exit 1
fi
echo "make run reuses make test's build ($run_build: nothing to compile)"
