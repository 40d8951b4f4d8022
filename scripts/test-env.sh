#!/usr/bin/env bash
# Runs a command inside the test environment: a private Xvfb display (the app needs one) and a
# headless PulseAudio with a null sink (audio tests record its monitor). Everything started
# here is stopped by PID on exit.
set -euo pipefail

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Xvfb on the first free display number.
display=99
while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 1 50); do
  [[ -e /tmp/.X11-unix/X$display ]] && break
  sleep 0.1
done
[[ -e /tmp/.X11-unix/X$display ]] || { echo "Xvfb did not start on $DISPLAY" >&2; exit 1; }

# A private session bus: WebKitGTK wants one, and the media-key (MPRIS) tests talk over it.
if command -v dbus-daemon >/dev/null; then
  bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
  export DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p <<<"$bus")
  pids+=("$(sed -n 2p <<<"$bus")")
elif [[ "${CI:-}" == "true" ]]; then
  echo "dbus-daemon is not installed (scripts/install-deps.sh --test)" >&2
  exit 1
fi

# A headless PulseAudio with a null sink: the app plays into it (ALSA routes to it through
# libasound2-plugins) and audio tests record its monitor with parec. Its own runtime dir and
# socket, so it never meets a desktop's PulseAudio.
if command -v pulseaudio >/dev/null; then
  pulse_dir=$(mktemp -d /tmp/chaptercast-pulse.XXXXXX)
  export PULSE_RUNTIME_PATH="$pulse_dir" PULSE_STATE_PATH="$pulse_dir"
  # (No --daemonize: the PID is ours to stop.)
  pulseaudio --daemonize=no --exit-idle-time=-1 --system=false -n --disallow-exit \
    --load="module-native-protocol-unix socket=$pulse_dir/native auth-anonymous=1" \
    --load="module-null-sink sink_name=chaptercast_null rate=44100 channels=2" \
    --load="module-always-sink" >"$pulse_dir/log" 2>&1 &
  pids+=($!)
  export PULSE_SERVER="unix:$pulse_dir/native"
  for _ in $(seq 1 50); do
    pactl info >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! pactl set-default-sink chaptercast_null 2>/dev/null; then
    echo "PulseAudio did not start (see $pulse_dir/log):" >&2
    cat "$pulse_dir/log" >&2 || true
    exit 1
  fi
  export CHAPTERCAST_NULL_SINK=chaptercast_null
  # An idle null sink sleeps in 2 s blocks, so any player's first sound comes ~1 s late;
  # a silent low-latency stream keeps it ticking like a real sound card.
  pacat --latency-msec=10 --rate=44100 --channels=2 --format=s16le /dev/zero >/dev/null 2>&1 &
  pids+=($!)
elif [[ "${CI:-}" == "true" ]]; then
  echo "pulseaudio is not installed: the audio tests need it (scripts/install-deps.sh --test)" >&2
  exit 1
fi

# Software rendering only: there is no GPU under Xvfb.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LIBGL_ALWAYS_SOFTWARE=1

"$@"
