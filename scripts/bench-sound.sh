#!/usr/bin/env bash
# CPU of playback at 2× with the whole sound chain on (loudness normalisation, +3 dB boost,
# strong skip silence) against the same file plain, and against ffplay and mpv doing the same
# work with their own filters (atempo + loudnorm + silenceremove). Run through
# scripts/test-env.sh (PulseAudio null sink); one run, side by side. Usage:
#   scripts/test-env.sh scripts/bench-sound.sh [target/release/chaptercast]
set -euo pipefail
bin=${1:-target/release/chaptercast}
seconds=${SOUND_BENCH_SECONDS:-30}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Ten minutes of speech-like sound: a tone under pink noise, 4 s on, 2 s of silence.
ffmpeg -hide_banner -loglevel error -y -f lavfi \
  -i "sine=frequency=220:sample_rate=44100[t];anoisesrc=color=pink:amplitude=0.2:sample_rate=44100[n];[t][n]amix=inputs=2:normalize=0,volume='if(lt(mod(t,6),4),1,0)':eval=frame,atrim=0:600" \
  -ac 2 -c:a libmp3lame -b:a 128k "$dir/speech.mp3"

cpu() { # cpu <label> <command...>: user+system CPU over wall time, in % of one core
  local label=$1; shift
  local out
  /usr/bin/time -o "$dir/time" -f "%U %S %e" "$@" >/dev/null 2>&1 || true
  out=$(tail -1 "$dir/time")
  awk -v l="$label" -v o="$out" 'BEGIN { split(o, a, " "); printf "%-46s %5.1f %% of a core (%.2f s CPU over %.1f s)\n", l, 100 * (a[1] + a[2]) / a[3], a[1] + a[2], a[3] }'
}

# Chaptercast streams it from loopback, so the loudness follows the stream as it plays (a file
# would first be measured whole: that is a separate cost, printed last).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 0.5
url="http://127.0.0.1:$port/speech.mp3"

echo "$seconds s of playback at 2x, $(nproc) cores, $(date -u +%FT%TZ)"
cpu "chaptercast play, 2x, plain" "$bin" play "$url" --speed 2 --for "$seconds"
cpu "chaptercast play, 2x, normalize+boost+skip silence" "$bin" play "$url" --speed 2 --normalize --boost 3 --skip-silence strong --for "$seconds"
cpu "ffplay, 2x, atempo+loudnorm+silenceremove" timeout "$seconds" ffplay -nodisp -autoexit -loglevel quiet \
  -af "silenceremove=stop_periods=-1:stop_duration=0.35:stop_threshold=-50dB,atempo=2,loudnorm=I=-16:TP=-1" "$dir/speech.mp3"
cpu "mpv, 2x, scaletempo2+loudnorm+silenceremove" timeout "$seconds" mpv --no-video --really-quiet --speed=2 \
  --af="lavfi=[silenceremove=stop_periods=-1:stop_duration=0.35:stop_threshold=-50dB],lavfi=[loudnorm=I=-16:TP=-1]" "$dir/speech.mp3"
start=$(date +%s.%N)
"$bin" loudness "$dir/speech.mp3" >/dev/null
echo "chaptercast loudness of the 10-minute file: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }') s (an hour: ×6)"
