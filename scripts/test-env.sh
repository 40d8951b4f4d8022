#!/usr/bin/env bash
# Runs a command inside the test environment: a private Xvfb display (the app needs one) and a
# headless PulseAudio with a null sink (audio tests record its monitor). Everything started
# here is stopped by PID on exit.
set -euo pipefail

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "${PULSE_STARTED:-}" ]]; then pulseaudio --kill 2>/dev/null || true; fi
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

# WebKitGTK wants a session bus for some features; give it one if none is running.
if [[ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]] && command -v dbus-daemon >/dev/null; then
  eval "$(dbus-launch --sh-syntax 2>/dev/null)" || true
  [[ -n "${DBUS_SESSION_BUS_PID:-}" ]] && pids+=("$DBUS_SESSION_BUS_PID")
fi

# Software rendering only: there is no GPU under Xvfb.
export WEBKIT_DISABLE_COMPOSITING_MODE=1
export LIBGL_ALWAYS_SOFTWARE=1

"$@"
