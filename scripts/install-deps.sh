#!/usr/bin/env bash
# Installs what building, running and testing Chaptercast needs: Debian packages (apt-get,
# through sudo when not root), and with --test also tauri-driver and podsync (a gpodder API
# server, GPL-3.0, used only as a test tool). Idempotent and quiet when
# everything is present. On systems without apt-get it prints what to install.
set -euo pipefail

packages=(
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev build-essential libssl-dev libxdo-dev libayatana-appindicator3-dev
  librsvg2-dev pkg-config curl file
  # audio output (rodio/cpal) and MPRIS (D-Bus)
  libasound2-dev libdbus-1-dev
)
test_packages=(
  xvfb xauth webkit2gtk-driver pulseaudio pulseaudio-utils libasound2-plugins sox ffmpeg imagemagick
  dbus-daemon dbus-bin
  # drives the native file dialogs in the OPML test
  xdotool
  # gPodder's client library: the sync tests' second client
  python3-mygpoclient
)

# The playback benchmark compares with these players; the sync benchmark marks a library
# played with sqlite3 and does its sums with bc; the memory benchmark runs gPodder beside the app;
# the feed benchmark compares with gPodder's parser.
bench_packages=(mpv sqlite3 bc gpodder python3-podcastparser)

want=("${packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_packages[@]}")
elif [[ "${1:-}" == "--bench" ]]; then
  want+=("${test_packages[@]}" "${bench_packages[@]}")
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "This is not a Debian/Ubuntu system: install the equivalents of: ${want[*]}" >&2
  echo "(see https://v2.tauri.app/start/prerequisites/ for your distribution)" >&2
  exit 0
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "Installing Debian packages: ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--test" ]] && ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  echo "Installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

# The sync tests' server; pinned, so every run tests against the same behaviour.
PODSYNC_VERSION=1.0.5
if [[ "${1:-}" == "--test" ]] && ! cargo install --list 2>/dev/null | grep -q "^podsync v$PODSYNC_VERSION:"; then
  echo "Installing podsync $PODSYNC_VERSION (a gpodder API server for the sync tests; about 5 minutes once)"
  cargo install podsync --version "$PODSYNC_VERSION" --locked --quiet
fi
