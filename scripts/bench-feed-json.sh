#!/usr/bin/env bash
# `chaptercast feed FILE --json` next to podcastparser (gPodder's parser, Debian's
# python3-podcastparser) on the same files, in the same run and alternating: the 455-item
# LARGE_simplecast feed of the corpus, and a 5,005-item, ~37 MB feed made of its items eleven
# times over (guids and enclosures made unique). podcastparser's result is written as JSON too,
# as the command line's is. Prints the median and spread of RUNS runs each (default 5), the peak
# memory (/usr/bin/time -f %M, median of 3) and Chaptercast's time as a ratio of podcastparser's.
# Then subscribing to the 455-item feed end to end (fetched from 127.0.0.1, parsed, stored, in
# a new library each run): `chaptercast subscribe` next to gPodder's `gpo subscribe`.
# Usage: scripts/bench-feed-json.sh [CHAPTERCAST_BIN]
set -euo pipefail
BIN=${1:-target/release/chaptercast}
RUNS=${RUNS:-5}
SHARED=${CHAPTERCAST_SHARED_DIR:-../shared}
SOURCE="$SHARED/corpus/feeds/LARGE_simplecast_critical-role_2026-07-21.xml"
PY=/usr/bin/python3  # Debian's, where python3-podcastparser lives
[[ -x "$BIN" ]] || { echo "bench-feed-json: $BIN is not built (make bench-feeds builds it)" >&2; exit 1; }
[[ -r "$SOURCE" ]] || { echo "bench-feed-json: $SOURCE is missing" >&2; exit 1; }
"$PY" -c 'import podcastparser' 2>/dev/null || {
  echo "bench-feed-json: python3-podcastparser is missing (scripts/install-deps.sh --bench)" >&2; exit 1; }
OUT=target/bench-feeds
mkdir -p "$OUT"
BIG="$OUT/feed-5005.xml"
"$PY" - "$SOURCE" "$BIG" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("<item"); end = text.rindex("</item>") + len("</item>")
items = text[start:end]
copies = []
for k in range(11):
    copy = re.sub(r"(<guid[^>]*>)(.*?)(</guid>)", lambda m: f"{m.group(1)}{m.group(2)}-{k}{m.group(3)}", items, flags=re.S)
    copy = re.sub(r'(<enclosure[^>]*url=")([^"]*)"', lambda m: f'{m.group(1)}{m.group(2)}?copy={k}"', copy)
    copies.append(copy)
open(sys.argv[2], "w", encoding="utf-8").write(text[:start] + "\n".join(copies) + text[end:])
PY

"$PY" - "$RUNS" "$BIN" "$PY" "$SOURCE" "$BIG" <<'PY'
import os, statistics, subprocess, sys, time
runs, binary, py, small, big = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
PARSE = ("import json, sys, podcastparser; "
         "f = sys.argv[1]; json.dump(podcastparser.parse('file://' + f, open(f, 'rb')), sys.stdout)")

def commands(path):
    return [("chaptercast", [binary, "feed", path, "--json"]),
            ("podcastparser", [py, "-c", PARSE, path])]

def once(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1000

def peak_mb(argv):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return int(r.stderr.strip().splitlines()[-1]) / 1024

print("| feed | command | median | min – max | peak RSS | chaptercast ÷ podcastparser (time / memory) |")
print("|---|---|---|---|---|---|")
for label, path in [("455 items, %.1f MB" % (os.path.getsize(small) / 1e6), small),
                    ("5,005 items, %.1f MB" % (os.path.getsize(big) / 1e6), big)]:
    cmds = commands(path)
    for _, argv in cmds:  # warm the page cache
        once(argv)
    times = {name: [] for name, _ in cmds}
    for _ in range(runs):
        for name, argv in cmds:  # alternating
            times[name].append(once(argv))
    peaks = {name: statistics.median(peak_mb(argv) for _ in range(3)) for name, argv in cmds}
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, _ in cmds:
        ratio = ""
        if name == "chaptercast":
            ratio = "%.2f / %.2f" % (med[name] / med["podcastparser"], peaks[name] / peaks["podcastparser"])
        t = times[name]
        print(f"| {label} | {name} | {med[name]:.0f} ms | {min(t):.0f} – {max(t):.0f} ms | {peaks[name]:.0f} MB | {ratio} |")
print(f"({runs} runs each, alternating)")
PY

GPO=$(command -v gpo || true)
[[ -n "$GPO" ]] || { echo "bench-feed-json: gpo is missing (apt-get install gpodder)" >&2; exit 1; }
"$PY" - "$RUNS" "$BIN" "$GPO" "$SOURCE" <<'PY'
import http.server, os, shutil, statistics, subprocess, sys, tempfile, threading, time
runs, binary, gpo, source = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(source, "rb").read()

class Feed(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d/feed.xml" % server.server_address[1]

def once(name):
    home = tempfile.mkdtemp(prefix="bench-subscribe-")
    env = dict(os.environ, CHAPTERCAST_DATA_DIR=home, GPODDER_HOME=home,
               GPODDER_DOWNLOAD_DIR=os.path.join(home, "dl"), CHAPTERCAST_LOG="off")
    argv = [binary, "subscribe", url] if name == "chaptercast" else [gpo, "subscribe", url]
    t = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ms = (time.perf_counter() - t) * 1000
    shutil.rmtree(home, ignore_errors=True)
    return ms

names = ["chaptercast", "gpo"]
for name in names:  # warm the page cache
    once(name)
times = {name: [] for name in names}
for _ in range(runs):
    for name in names:  # alternating
        times[name].append(once(name))
med = {name: statistics.median(t) for name, t in times.items()}
print()
print("| subscribe to the 455-item feed, end to end (new library) | median | min – max | chaptercast ÷ gpo |")
print("|---|---|---|---|")
for name in names:
    t = times[name]
    ratio = "%.3f" % (med[name] / med["gpo"]) if name == "chaptercast" else ""
    print(f"| {name} subscribe | {med[name]:.0f} ms | {min(t):.0f} – {max(t):.0f} ms | {ratio} |")
print(f"({runs} runs each, alternating)")
server.shutdown()
PY
