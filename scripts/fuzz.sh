#!/usr/bin/env bash
# Fuzzes the engine's parsers with cargo-fuzz (crate in fuzz/, harness in fuzz/src/lib.rs).
#
#   scripts/fuzz.sh [target...]        default: every target, one after the other, one core
#
# Environment:
#   FUZZ_RUNS=N              executions per target (default 1000000)
#   FUZZ_SANITIZER=s         address (default; falls back to none when ASan does not work) or none
#   FUZZ_DEBUG_ASSERTIONS=0  build without debug assertions / overflow checks (default: with)
#   FUZZ_BUILD_JOBS=N        cargo build jobs (default 1)
#   FUZZ_MAX_LEN_<target>=N  largest input for that target (see max_len below)
#   CHAPTERCAST_SHARED_DIR   where corpus/ and seed/ are (default: ../shared next to the repo)
#
# Seeds come from the shared corpus (files over 1 MB skipped) and are copied into
# fuzz/corpus/<target>/, where libFuzzer also keeps what it finds. Crashers land in
# fuzz/artifacts/<target>/, logs in fuzz/artifacts/logs/. fuzz/last-run.md holds the
# latest result of each target.
# Exits non-zero when any target crashed, hung or ran out of memory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
FUZZ_DIR=$ROOT/fuzz
SHARED=${CHAPTERCAST_SHARED_DIR:-$ROOT/../shared}
RUNS=${FUZZ_RUNS:-1000000}
SANITIZER=${FUZZ_SANITIZER:-address}
export CARGO_BUILD_JOBS=${FUZZ_BUILD_JOBS:-1}
export PATH=$HOME/.cargo/bin:$PATH

ALL_TARGETS=(feed shownotes chapters_json podlove id3 vorbis mp4 audio transcript picture)
if (($# > 0)); then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

# Largest input per target (FUZZ_MAX_LEN_<target> overrides). Sanitizing show notes with
# ammonia/html5ever dominates feed and show-notes runs, so these stay small enough for a few
# hundred executions per second under ASan: feed ran ~200 exec/s at 64 KiB, show notes ~120 at
# 16 KiB, ~260 at 4 KiB, ~400 at 2 KiB.
max_len() {
    local override=FUZZ_MAX_LEN_$1
    if [[ -n ${!override:-} ]]; then echo "${!override}"; return; fi
    case $1 in
        feed) echo 16384 ;;
        shownotes) echo 2048 ;;
        chapters_json | podlove) echo 16384 ;;
        id3 | vorbis | mp4 | audio) echo 262144 ;;
        transcript) echo 4096 ;;
        picture) echo 65536 ;;
        *) echo "unknown target: $1" >&2; exit 2 ;;
    esac
}
for t in "${TARGETS[@]}"; do max_len "$t" >/dev/null; done

# --- cargo-fuzz ------------------------------------------------------------------------------
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# --- toolchain and sanitizer -----------------------------------------------------------------
# cargo-fuzz needs nightly flags: prefer the nightly toolchain, else stable with RUSTC_BOOTSTRAP.
BUILD_FLAGS=()
if [[ ${FUZZ_DEBUG_ASSERTIONS:-1} != 0 ]]; then BUILD_FLAGS+=(--debug-assertions); fi

fuzz() { # fuzz <toolchain> <cargo fuzz args...>
    local toolchain=$1
    shift
    if [[ $toolchain == nightly ]]; then
        (cd "$FUZZ_DIR" && cargo +nightly fuzz "$@")
    else
        (cd "$FUZZ_DIR" && RUSTC_BOOTSTRAP=1 cargo fuzz "$@")
    fi
}

# Builds every target and runs one on an empty input, which fails when the sanitizer runtime
# does not work with this toolchain.
try_build() { # try_build <toolchain> <sanitizer>
    echo "== building fuzz targets: toolchain $1, sanitizer $2"
    fuzz "$1" build --sanitizer "$2" "${BUILD_FLAGS[@]}" || return 1
    local probe
    probe=$(mktemp -d)
    fuzz "$1" run --sanitizer "$2" "${BUILD_FLAGS[@]}" "${TARGETS[0]}" "$probe" -- -runs=1 \
        >"$probe.log" 2>&1 || { tail -20 "$probe.log" >&2; rm -rf "$probe" "$probe.log"; return 1; }
    rm -rf "$probe" "$probe.log"
}

TOOLCHAIN=
sanitizers=("$SANITIZER")
[[ $SANITIZER != none ]] && sanitizers+=(none)
for san in "${sanitizers[@]}"; do
    for tc in nightly stable; do
        if [[ $tc == nightly ]] && ! rustup run nightly rustc --version >/dev/null 2>&1; then
            continue
        fi
        if try_build "$tc" "$san"; then
            TOOLCHAIN=$tc
            SANITIZER=$san
            break 2
        fi
    done
done
if [[ -z $TOOLCHAIN ]]; then
    echo "cannot build the fuzz targets with nightly or with stable + RUSTC_BOOTSTRAP" >&2
    exit 1
fi
if [[ $TOOLCHAIN == nightly ]]; then
    TOOLCHAIN_DESC="$(rustc +nightly --version | cut -d' ' -f1-2)"
else
    TOOLCHAIN_DESC="$(rustc --version | cut -d' ' -f1-2) + RUSTC_BOOTSTRAP=1"
fi
echo "== using $TOOLCHAIN_DESC, sanitizer $SANITIZER"
# The targets run from the binaries just built: `cargo fuzz run` would rebuild them whenever the
# engine's sources change during a long run.
BIN_DIR=$FUZZ_DIR/target/$(rustc -vV | sed -n 's/^host: //p')/release
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0}

# --- seed corpora ----------------------------------------------------------------------------
SEED_MAX_BYTES=$((1024 * 1024))

# add_seeds <target> <dir> <find name expressions...>: copies matching files (recursively),
# named by content hash so that reruns and duplicates add nothing.
add_seeds() {
    local target=$1 dir=$2
    shift 2
    [[ -d $dir ]] || return 0
    local out=$FUZZ_DIR/corpus/$target
    mkdir -p "$out"
    find "$dir" -type f \( "$@" \) -size -$((SEED_MAX_BYTES + 1))c -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "$out/seed-$(sha1sum "$f" | cut -c1-16)"
        done
}

# Podlove seeds: the psc:chapter elements of the corpus as "start|title|href|image" lines.
podlove_seeds() {
    local out=$FUZZ_DIR/corpus/podlove
    mkdir -p "$out"
    grep -rl --include='*.xml' --include='*.rss' 'psc:chapter' "$SHARED/corpus" 2>/dev/null |
        while IFS= read -r f; do
            grep -o '<psc:chapter [^>]*>' "$f" | while IFS= read -r el; do
                local line=
                for a in start title href image; do
                    local v
                    v=$(sed -n "s/.* $a=[\"']\([^\"']*\)[\"'].*/\1/p" <<<"$el")
                    line+="${line:+|}$v"
                done
                echo "$line"
            done >"$out/tmp" || true
            [[ -s $out/tmp ]] && mv "$out/tmp" "$out/seed-$(sha1sum "$out/tmp" | cut -c1-16)"
            rm -f "$out/tmp"
        done || true
    printf '0|Intro|https://example.com|\n1:02.5|Two\n---\n00:01:00.250|Three|http://x.org|https://x.org/a.png\n' \
        >"$out/seed-handwritten-1"
    printf '!12:00|<b>a & b</b>|\n7:48|"quoted"\n' >"$out/seed-handwritten-2"
}

# Show-notes seeds for shapes the shared corpus lacks: one-line lists set apart by separators
# (either order, untimed pieces inside titles), lists out of order, day schedules and scores.
shownotes_seeds() {
    local out=$FUZZ_DIR/corpus/shownotes
    mkdir -p "$out"
    printf 'Agenda \xe2\x80\xa2 0:00 Welcome \xe2\x80\xa2 4:12 News \xe2\x80\xa2 15:30 Deep dive\n' \
        >"$out/seed-handwritten-bullets"
    printf 'Agenda - 0:00 Welcome - hello - 4:12 News | 1:02:03 Outro / x\n' \
        >"$out/seed-handwritten-dashes"
    printf 'Timestamps | Intro 0:00 | Our guest | Jane Doe 4:12 | Outro 15:30\n' \
        >"$out/seed-handwritten-title-first"
    printf '<p>Agenda &bull; 0:00 | Welcome &#8226; 4:12 / News \xe2\x80\x92 15:30</p>\n' \
        >"$out/seed-handwritten-html"
    printf '(00:00) Intro\n(15:00) Part B\n(10:00) Part A\n(45:00) Outro\n' \
        >"$out/seed-handwritten-out-of-order"
    printf '9:00 Doors open | 10:30 Keynote | 12:00 Lunch\nArsenal 3:1 Chelsea / Spurs 2-0\n' \
        >"$out/seed-handwritten-schedule"
}

echo "== seeding corpora from $SHARED"
C=$SHARED/corpus
for t in "${TARGETS[@]}"; do
    mkdir -p "$FUZZ_DIR/corpus/$t"
    case $t in
        feed)
            add_seeds feed "$C/feeds" -name '*.xml' -o -name '*.rss'
            add_seeds feed "$C/bad" -name '*'
            add_seeds feed "$C/expected" -name '*.xml' -o -name '*.rss'
            # Hand-written hostile feeds for the parser's pre-passes (committed, small).
            add_seeds feed "$FUZZ_DIR/seeds/feed" -name '*'
            ;;
        shownotes)
            add_seeds shownotes "$C/chapters" -name '*.txt' -o -name '*.html' -o -name '*.htm'
            add_seeds shownotes "$SHARED/seed" -name 'meta-tech-podcast-listing.txt'
            shownotes_seeds
            ;;
        chapters_json) add_seeds chapters_json "$C/chapters" -name '*.json' ;;
        podlove) podlove_seeds ;;
        id3) add_seeds id3 "$C/audio" -name '*.mp3' ;;
        vorbis) add_seeds vorbis "$C/audio" -name '*.ogg' -o -name '*.opus' -o -name '*.flac' ;;
        mp4) add_seeds mp4 "$C/audio" -name '*.m4a' -o -name '*.mp4' -o -name '*.m4b' ;;
        audio) add_seeds audio "$C/audio" -name '*.mp3' -o -name '*.m4a' -o -name '*.mp4' -o -name '*.m4b' \
            -o -name '*.ogg' -o -name '*.opus' -o -name '*.flac' ;;
        transcript) add_seeds transcript "$C/transcripts" -name '*' ;;
        # Pictures: the corpus carries none; the app's own icons are real encoder output.
        picture) add_seeds picture "$ROOT/icons" -iname '*.png' ;;
    esac
    echo "   $t: $(find "$FUZZ_DIR/corpus/$t" -type f | wc -l) inputs"
done

# --- fuzzing ---------------------------------------------------------------------------------
# One process per target, targets one after the other: one core.
LOG_DIR=$FUZZ_DIR/artifacts/logs
mkdir -p "$LOG_DIR"
# Rewritten after every target, so an interrupted run still leaves what it measured. Rows of
# other targets are kept from the file as it is then: it holds each target's latest run, also
# when several runs of this script (on different targets) go on at once (hence the lock).
SUMMARY=$FUZZ_DIR/last-run.md
row_target() { awk -F'|' '{ gsub(/ /, "", $2); print $2 }' <<<"$1"; }
write_summary() {
    exec {lock_fd}>"$SUMMARY.lock"
    flock "$lock_fd"
    local -a kept_rows=()
    local row done_targets=" "
    for row in "${ROWS[@]}"; do done_targets+="$(row_target "$row") "; done
    if [[ -f $SUMMARY ]]; then
        while IFS= read -r row; do
            [[ $done_targets == *" $(row_target "$row") "* ]] || kept_rows+=("$row")
        done < <(grep -E '^\| [a-z_0-9]+ \| [0-9]' "$SUMMARY" || true)
    fi
    {
        echo "# Last fuzzing run of each target"
        echo
        echo "Written by scripts/fuzz.sh. Sanitizer and debug assertions (overflow checks) as listed;" \
            "seconds are wall-clock, including start-up and loading the corpus."
        echo
        echo "| target | max_len | executions | seconds | exec/s | crashes | finished (UTC) | commit | toolchain | sanitizer | debug assertions |"
        echo "|---|---:|---:|---:|---:|---:|---|---|---|---|---|"
        printf '%s\n' "${kept_rows[@]}" "${ROWS[@]}" | grep . || true
    } >"$SUMMARY.tmp"
    mv "$SUMMARY.tmp" "$SUMMARY"
    flock -u "$lock_fd"
    exec {lock_fd}>&-
}
row() { # row <target> <max_len> <executions> <seconds> <exec/s> <crashes>
    ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $(date -u '+%Y-%m-%d %H:%M') | $COMMIT | $TOOLCHAIN_DESC | $SANITIZER | $DEBUG_ASSERTIONS |")
    write_summary
}
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [[ -n $(git status --porcelain -- src-tauri/engine fuzz/src 2>/dev/null) ]]; then COMMIT+="+dirty"; fi
DEBUG_ASSERTIONS=$([[ ${FUZZ_DEBUG_ASSERTIONS:-1} != 0 ]] && echo on || echo off)

ROWS=()
FAILED=()
for t in "${TARGETS[@]}"; do
    len=$(max_len "$t")
    log=$LOG_DIR/$t.log
    mkdir -p "$FUZZ_DIR/artifacts/$t"
    before=$(find "$FUZZ_DIR/artifacts/$t" -type f | wc -l)
    echo "== fuzzing $t: $RUNS runs, max_len $len (log: ${log#"$ROOT"/})"
    start=$(date +%s.%N)
    status=0
    # A target's libFuzzer dictionary, when it has one (fuzz/dict/<target>.dict).
    dict=()
    if [[ -f $FUZZ_DIR/dict/$t.dict ]]; then dict=(-dict="$FUZZ_DIR/dict/$t.dict"); fi
    "$BIN_DIR/$t" -runs="$RUNS" -max_len="$len" -rss_limit_mb=2048 -timeout=10 "${dict[@]}" \
        -print_final_stats=1 -artifact_prefix="$FUZZ_DIR/artifacts/$t/" \
        "$FUZZ_DIR/corpus/$t" >"$log" 2>&1 || status=$?
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [[ -z $execs ]]; then # crashed before the final stats: the last progress line
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    execs=${execs:-0}
    rate=$(awk -v n="$execs" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    after=$(find "$FUZZ_DIR/artifacts/$t" -type f | wc -l)
    crashes=$((after - before))
    if ((status != 0 && crashes == 0)) && grep -q 'libFuzzer: run interrupted' "$log"; then
        echo "   $t: INTERRUPTED (signal) after $execs executions"
        FAILED+=("$t")
        row "$t" "$len" "$execs" "$secs" "$rate" interrupted
        continue
    fi
    if ((status != 0 && crashes == 0)); then crashes=1; fi # failed without an artifact
    if ((crashes > 0)); then
        FAILED+=("$t")
        kind=$(grep -oE 'libFuzzer: (deadly signal|timeout|out-of-memory[^)]*\)?|fuzz target exited)|ERROR: AddressSanitizer: [a-z-]+' "$log" | head -1 || true)
        echo "   $t: CRASH after $execs executions (${kind:-exit $status}); see $log"
        grep -E '^(Test unit written to|artifact_prefix)' "$log" | sed 's/^/     /' || true
    else
        echo "   $t: ok, $execs executions in ${secs}s ($rate exec/s), no crash"
    fi
    row "$t" "$len" "$execs" "$secs" "$rate" "$crashes"
done

echo "== summary in fuzz/last-run.md"
cat "$FUZZ_DIR/last-run.md"

if ((${#FAILED[@]} > 0)); then
    echo "crashed or interrupted: ${FAILED[*]} (inputs in fuzz/artifacts/<target>/)" >&2
    exit 1
fi
