#!/usr/bin/env bash
# Sync, next to gPodder's own client library (mygpoclient), against one podsync on 127.0.0.1:
#   chaptercast: a library of the 455-episode corpus feed, every episode played, logs in and
#                syncs (1 subscription and 455 play actions up, every action down and applied);
#                then a sync with nothing new (every action down again, none changing anything);
#   mygpoclient: uploads the same 455 actions, then downloads every action.
# Each on a fresh server; median of RUNS (default 5). Usage: scripts/bench-sync.sh [CHAPTERCAST_BIN]
set -euo pipefail
BIN=${1:-target/release/chaptercast}
RUNS=${RUNS:-5}
FEED=$(cd "$(dirname "$0")/../../shared/corpus/feeds" && pwd)/LARGE_simplecast_critical-role_2026-07-21.xml
PODSYNC=${PODSYNC_BIN:-$HOME/.cargo/bin/podsync}
PY=/usr/bin/python3
CLIENT=$(cd "$(dirname "$0")/../tests" && pwd)/mygpo_client.py
work=$(mktemp -d)
# podsync runs are started inside $(…) subshells, so they are not this shell's jobs: their PIDs
# go to a file for the trap.
trap 'kill $(jobs -p) $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
now() { date +%s.%N; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

feed_port=$(free_port)
(cd "$(dirname "$FEED")" && exec $PY -m http.server "$feed_port" --bind 127.0.0.1 >/dev/null 2>&1) &
feed_url="http://127.0.0.1:$feed_port/$(basename "$FEED")"
sleep 0.5

start_podsync() { # $1: dir; prints the port
  local dir=$1 port
  port=$(free_port)
  mkdir -p "$dir/users/bench"
  echo "pwhash: $(printf 'pw' | sha256sum | cut -d' ' -f1)" > "$dir/users/bench/creds.txt"
  : > "$dir/users/bench/devices.txt"; : > "$dir/users/bench/subs.txt"; : > "$dir/users/bench/episodes.txt"
  "$PODSYNC" -a 127.0.0.1 -p "$port" -d "$dir" >/dev/null 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
  echo "$port"
}

first=(); again=(); peer=()
for run in $(seq "$RUNS"); do
  lib=$work/lib$run; mkdir -p "$lib"
  export CHAPTERCAST_DATA_DIR=$lib CHAPTERCAST_NO_KEYRING=1
  "$BIN" subscribe "$feed_url" >/dev/null
  sqlite3 "$lib/library.sqlite3" "UPDATE episodes SET is_played = 1"
  port=$(start_podsync "$work/ps$run")
  echo pw | "$BIN" sync login "http://127.0.0.1:$port" --user bench --password-stdin --device desk >/dev/null
  t0=$(now); "$BIN" sync --json > "$work/first$run.json"; t1=$(now)
  "$BIN" sync --json > "$work/again$run.json"; t2=$(now)
  first+=("$(echo "$t1 - $t0" | bc)"); again+=("$(echo "$t2 - $t1" | bc)")
  sent=$($PY -c "import json,sys; print(json.load(open('$work/first$run.json'))['sent']['episode_actions'])")

  # The same 455 actions through mygpoclient, on a fresh server.
  port2=$(start_podsync "$work/pp$run")
  $PY "$CLIENT" "http://127.0.0.1:$port" bench pw actions > "$work/actions.json"
  $PY - "$work/actions.json" > "$work/upload.json" <<'PYEOF'
import json, sys
acts = json.load(open(sys.argv[1]))
print(json.dumps([{k: a[k] for k in ("podcast", "episode", "action", "device", "timestamp", "started", "position", "total")} for a in acts]))
PYEOF
  t3=$(now)
  $PY "$CLIENT" "http://127.0.0.1:$port2" bench pw upload < "$work/upload.json" >/dev/null
  $PY "$CLIENT" "http://127.0.0.1:$port2" bench pw actions > /dev/null
  t4=$(now)
  peer+=("$(echo "$t4 - $t3" | bc)")
  echo "run $run: chaptercast first sync ${first[-1]} s ($sent actions up), again ${again[-1]} s; mygpoclient up+down ${peer[-1]} s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
f=$(median "${first[@]}"); a=$(median "${again[@]}"); p=$(median "${peer[@]}")
echo "median: chaptercast first sync $f s, again $a s; mygpoclient up+down $p s; first/peer = $(echo "scale=2; $f / $p" | bc)"
