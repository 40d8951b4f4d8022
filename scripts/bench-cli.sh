#!/usr/bin/env bash
# Start-up of the command line: `chaptercast --version` next to other command lines' --version
# (curl, gpo, git when installed), in the same run and alternating, so that the machine's load
# falls on all alike. Prints the median and spread of RUNS runs each (default 30), the peak
# memory (/usr/bin/time -f %M, median of 5) and chaptercast's time as a ratio of each peer's.
# Usage: scripts/bench-cli.sh [CHAPTERCAST_BIN [OTHER_CHAPTERCAST_BIN]]
#   OTHER_CHAPTERCAST_BIN: a second build to compare with (e.g. main's), shown as "before".
set -euo pipefail
BIN=${1:-target/release/chaptercast}
BEFORE=${2:-}
RUNS=${RUNS:-30}
[[ -x "$BIN" ]] || { echo "bench-cli: $BIN is not built (make bench-cli builds it)" >&2; exit 1; }

commands=("chaptercast|$BIN --version")
[[ -n "$BEFORE" ]] && commands+=("before|$BEFORE --version")
for peer in curl gpo git; do
  command -v "$peer" >/dev/null 2>&1 && commands+=("$peer|$(command -v "$peer") --version")
done

# One process per run, started and waited for by Python (the same fork+exec cost for all);
# stdout and stderr go to /dev/null so terminal speed does not count.
python3 - "$RUNS" "${commands[@]}" <<'PY'
import shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
cmds = [(name, shlex.split(line)) for name, line in (a.split("|", 1) for a in sys.argv[2:])]

def once(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000

def peak_kb(argv):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1])

for _, argv in cmds:  # warm the page cache
    once(argv)
times = {name: [] for name, _ in cmds}
for _ in range(runs):
    for name, argv in cmds:  # alternating
        times[name].append(once(argv))
own = statistics.median(times["chaptercast"])
print(f"{'command':<12} {'median':>9} {'min':>8} {'max':>8} {'peak RSS':>10}  chaptercast ÷ this")
for name, argv in cmds:
    ms = times[name]
    rss = statistics.median(peak_kb(argv) for _ in range(5)) / 1024
    med = statistics.median(ms)
    print(f"{name:<12} {med:7.2f}ms {min(ms):6.2f}ms {max(ms):6.2f}ms {rss:8.1f}MB  {own / med:5.2f}")
print(f"({runs} runs each, alternating; `{' '.join(cmds[0][1])}`)")
PY
