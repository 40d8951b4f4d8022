#!/usr/bin/env bash
# Checks a Chaptercast .deb the way a user's system will meet it, and fails (exit 1, one line
# per problem on stderr) when anything is off:
#   - Depends names a package for every library either binary links (the app, chaptercast-app,
#     and the command line, chaptercast; their DT_NEEDED entries, found
#     with ldd and mapped to packages with dpkg -S; an alternative such as `libasound2t64 |
#     libasound2` counts, and libc6, libgcc-s1 and libstdc++6 are taken as given);
#   - Section: sound, a Maintainer with an email address, a Homepage;
#   - the desktop entry passes desktop-file-validate, opens URLs (%u) and registers the podcast
#     link schemes, feeds and OPML files;
#   - the AppStream metainfo passes `appstreamcli validate --no-net` and launches that entry;
#   - the man page is there and `man -l` renders it;
#   - the command line links no GTK, WebKit or libsoup (it must start fast and work without a
#     desktop);
#   - installed with dpkg into a throwaway root, every one of those files (and the icons) lands
#     where the desktop looks for it, and both installed binaries run (--version).
#
# Usage: scripts/check-package.sh [--install-missing] PACKAGE.deb
# --install-missing installs the checkers (desktop-file-utils, appstream, man-db, binutils) with
# apt-get when they are absent. Without them a check is skipped with a warning; under CI=true a
# missing checker is a failure, so CI never passes by skipping.
set -euo pipefail

install_missing=false
if [[ "${1:-}" == "--install-missing" ]]; then
  install_missing=true
  shift
fi
if (($# != 1)); then
  echo "usage: $0 [--install-missing] PACKAGE.deb (exactly one; got $#: $*)" >&2
  exit 2
fi
deb=$1
[[ -f "$deb" ]] || { echo "check-package: no such package: $deb" >&2; exit 1; }

# What the package must contain; the names follow tauri.conf.json (productName, mainBinaryName,
# identifier, bundle.linux.deb.files) and tauri-bundler's layout, which names the icons after
# the main binary (the desktop entry's Icon=chaptercast-app).
binary=usr/bin/chaptercast-app
cli=usr/bin/chaptercast
desktop_file=usr/share/applications/Chaptercast.desktop
metainfo=usr/share/metainfo/org.chaptercast.desktop.metainfo.xml
man_page=usr/share/man/man1/chaptercast.1.gz
mime_types=(
  x-scheme-handler/podcast x-scheme-handler/itpc x-scheme-handler/pcast x-scheme-handler/feed
  x-scheme-handler/podcasts application/rss+xml text/x-opml
)
# Always present on a Debian system (Essential or required by it); never listed in Depends.
essential=(libc6 libgcc-s1 libstdc++6)

problems=()
skipped=()
fail() { problems+=("$*"); echo "FAIL: $*" >&2; }
ok() { echo "ok: $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the checkers ----------------------------------------------------------------------------
# tool -> the Debian package that has it
declare -A tool_package=(
  [dpkg-deb]=dpkg [dpkg]=dpkg [ldd]=libc-bin [readelf]=binutils [gzip]=gzip
  [desktop-file-validate]=desktop-file-utils [appstreamcli]=appstream [man]=man-db
)
missing_packages=()
for tool in "${!tool_package[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing_packages+=("${tool_package[$tool]}")
done
if ((${#missing_packages[@]})) && $install_missing && command -v apt-get >/dev/null 2>&1; then
  echo "Installing the package checkers: ${missing_packages[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
fi
# True when TOOL can run; otherwise records the check as skipped (or failed under CI).
have() {
  local tool=$1 what=$2
  command -v "$tool" >/dev/null 2>&1 && return 0
  if [[ "${CI:-}" == "true" ]]; then
    fail "$tool is not installed (Debian package ${tool_package[$tool]}), so $what was not checked"
  else
    skipped+=("$what (needs $tool from ${tool_package[$tool]})")
    echo "SKIP: $what: $tool is not installed (apt-get install ${tool_package[$tool]})" >&2
  fi
  return 1
}
have dpkg-deb "the package" || { echo "check-package: cannot read $deb without dpkg-deb" >&2; exit 1; }

# --- control fields --------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1" 2>/dev/null || true; }
package=$(field Package)
section=$(field Section)
maintainer=$(field Maintainer)
homepage=$(field Homepage)
depends=$(field Depends)
echo "Checking $deb: $package $(field Version) ($(field Architecture))"
if [[ "$section" == "sound" ]]; then
  ok "Section: sound"
else
  fail "Section is '${section}', not 'sound'"
fi
# In variables, so that bash passes < and > to the regex as plain characters.
name_email='^[^<>]+ <[^@<> ]+@[^@<> ]+\.[^@<> ]+>$'
web_url='^https?://[^[:space:]]+$'
if [[ "$maintainer" =~ $name_email ]]; then
  ok "Maintainer: $maintainer"
else
  fail "Maintainer '${maintainer}' is not 'Name <email>' (set bundle.publisher in tauri.conf.json)"
fi
if [[ "$homepage" =~ $web_url ]]; then
  ok "Homepage: $homepage"
else
  fail "Homepage is '${homepage}', not an http(s) URL (set bundle.homepage)"
fi
[[ -n "$depends" ]] || fail "the package has no Depends at all"

# --- the files, as packed --------------------------------------------------------------------
dpkg-deb --extract "$deb" "$tmp/deb"
for path in "$binary" "$cli" "$desktop_file" "$metainfo" "$man_page"; do
  [[ -f "$tmp/deb/$path" ]] || fail "/$path is not in the package"
done
[[ ! -f "$tmp/deb/$cli" || -x "$tmp/deb/$cli" ]] || fail "/$cli is not executable"

# --- Depends against what the binary links ---------------------------------------------------
# A package name as Depends and dpkg -S compare it: without an architecture qualifier or the
# t64 suffix of Debian 13's renamed libraries (libasound2t64 provides libasound2).
base_name() { local n=${1%%:*}; echo "${n%t64}"; }
declare -A depended=()
IFS=',' read -ra clauses <<<"$depends"
for clause in "${clauses[@]}"; do
  IFS='|' read -ra alternatives <<<"$clause"
  for alternative in "${alternatives[@]}"; do
    name=$(sed -E 's/\(.*\)//; s/\[.*\]//; s/[[:space:]]//g' <<<"$alternative")
    [[ -n "$name" ]] && depended[$(base_name "$name")]=1
  done
done
# The package that owns a library file; ldd prints /lib paths on merged-/usr systems while
# dpkg may know the file under /usr/lib, or only its versioned target.
owner() {
  local path=$1 candidate real names
  real=$(readlink -f "$path")
  for candidate in "$path" "/usr$path" "$real" "${real#/usr}"; do
    # "libasound2:amd64: /usr/lib/..." (or "a, b: /path"); diversion lines name no owner.
    names=$(dpkg -S "$candidate" 2>/dev/null | sed -n '/^diversion /d; s/^\([^:,]*\)[:,].*/\1/p') || true
    if [[ -n "$names" ]]; then
      echo "${names%%$'\n'*}"
      return 0
    fi
  done
  return 1
}
# Each binary's own libraries against Depends (one package for both).
check_depends() {
  local bin=$1 needed ldd_out suggested soname path line pkg
  # Only the libraries the binary itself names: ldd also lists what those load in turn, which
  # their own packages depend on.
  mapfile -t needed < <(readelf --dynamic --wide "$tmp/deb/$bin" |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
  ((${#needed[@]})) || fail "readelf finds no NEEDED libraries in /$bin: is it a dynamic ELF binary?"
  ldd_out=$(ldd "$tmp/deb/$bin" 2>&1) || fail "ldd cannot read /$bin: $ldd_out"
  suggested=()
  for soname in "${needed[@]}"; do
    # "libfoo.so.1 => /lib/.../libfoo.so.1 (0x...)", or for the loader "/lib64/ld-linux-x86-64.so.2 (0x...)".
    path=$(awk -v so="$soname" '
      $1 == so && $2 == "=>" { if ($3 ~ /^\//) print $3; exit }
      substr($1, length($1) - length(so)) == "/" so { print $1; exit }' <<<"$ldd_out")
    if [[ -z "$path" ]]; then
      line=$(grep -F -- "$soname" <<<"$ldd_out" | sed -n 1p)
      fail "$soname: the binary links it but ldd does not find it here (${line:-no ldd line})"
      continue
    fi
    if ! pkg=$(owner "$path"); then
      fail "$soname ($path): no Debian package owns it (dpkg -S), so Depends cannot name one"
      continue
    fi
    if printf '%s\n' "${essential[@]}" | grep -qx -- "$pkg"; then
      continue
    fi
    suggested+=("$pkg")
    if [[ -n "${depended[$(base_name "$pkg")]:-}" ]]; then
      ok "Depends covers $soname ($pkg)"
    else
      fail "$soname is linked (from package $pkg) but Depends has no $pkg (nor ${pkg%t64}t64): add it to bundle.linux.deb.depends"
    fi
  done
  echo "  (/$bin links, by package: $(printf '%s\n' "${suggested[@]}" | sort -u | tr '\n' ' '))"
}
if have ldd "Depends" && have readelf "Depends"; then
  for bin in "$binary" "$cli"; do
    if [[ -f "$tmp/deb/$bin" ]]; then check_depends "$bin"; fi
  done
  if [[ -f "$tmp/deb/$cli" ]]; then
    window_libs=$(ldd "$tmp/deb/$cli" 2>&1 | grep -oE 'lib(gtk|gdk|webkit2gtk|javascriptcoregtk|soup)[^ ]*' | sort -u | tr '\n' ' ') || true
    if [[ -z "$window_libs" ]]; then
      ok "/$cli links no GTK, WebKit or libsoup"
    else
      fail "/$cli links the window system ($window_libs): it must depend on the engine only"
    fi
  fi
fi

# --- the desktop entry -----------------------------------------------------------------------
entry=$tmp/deb/$desktop_file
if [[ -f "$entry" ]]; then
  if have desktop-file-validate "the desktop entry's syntax"; then
    if report=$(desktop-file-validate "$entry" 2>&1) && [[ -z "$report" ]]; then
      ok "desktop-file-validate /$desktop_file"
    else
      fail "desktop-file-validate /$desktop_file: ${report:-failed}"
    fi
  fi
  key() { awk -v key="$1" 'index($0, key "=") == 1 { print substr($0, length(key) + 2); exit }' "$entry"; }
  mime=";$(key MimeType);"
  for type in "${mime_types[@]}"; do
    [[ "$mime" == *";$type;"* ]] || fail "the desktop entry's MimeType lacks $type"
  done
  exec_line=$(key Exec)
  [[ "$exec_line" =~ %[uU] ]] || fail "Exec '$exec_line' takes no URL (%u): links would open the app without them"
  exec_bin=${exec_line%% *}
  [[ -f "$tmp/deb/usr/bin/${exec_bin//\"/}" ]] || fail "Exec runs '$exec_bin', which is not in /usr/bin of the package"
  # The app itself, not the command line that would exec it: one process start fewer.
  [[ "${exec_bin//\"/}" == "$(basename "$binary")" ]] || fail "Exec runs '$exec_bin', not the app (/$binary)"
  icon=$(key Icon)
  icons=$(cd "$tmp/deb" && { compgen -G "usr/share/icons/hicolor/*/apps/$icon.png" || true; })
  if [[ -n "$icons" ]]; then
    ok "icons for Icon=$icon: $(tr '\n' ' ' <<<"$icons")"
  else
    fail "no /usr/share/icons/hicolor/*/apps/$icon.png for the entry's Icon=$icon"
  fi
  for size in 32x32 128x128; do
    [[ -f "$tmp/deb/usr/share/icons/hicolor/$size/apps/$icon.png" ]] ||
      fail "no $size icon (/usr/share/icons/hicolor/$size/apps/$icon.png)"
  done
fi

# --- the AppStream metainfo ------------------------------------------------------------------
if [[ -f "$tmp/deb/$metainfo" ]]; then
  if have appstreamcli "the AppStream metainfo"; then
    if report=$(appstreamcli validate --no-net "$tmp/deb/$metainfo" 2>&1); then
      ok "appstreamcli validate --no-net /$metainfo"
    else
      fail "appstreamcli validate --no-net /$metainfo: $report"
    fi
  fi
  launchable=$(sed -n 's/.*<launchable type="desktop-id">\([^<]*\)<.*/\1/p' "$tmp/deb/$metainfo")
  [[ "$launchable" == "$(basename "$desktop_file")" ]] ||
    fail "the metainfo launches '${launchable}', but the package's desktop entry is $(basename "$desktop_file")"
fi

# --- the man page ----------------------------------------------------------------------------
if [[ -f "$tmp/deb/$man_page" ]]; then
  gzip --test "$tmp/deb/$man_page" 2>/dev/null || fail "/$man_page is not a valid gzip file"
  if have man "the man page's rendering"; then
    if rendered=$(MANPAGER=cat MANWIDTH=80 man -l "$tmp/deb/$man_page" 2>"$tmp/man.err") &&
      grep -q "chaptercast feed" <<<"$rendered"; then
      ok "man -l /$man_page ($(wc -l <<<"$rendered") lines)"
      [[ -s "$tmp/man.err" ]] && echo "  man warned: $(head -n 3 "$tmp/man.err")"
    else
      fail "man -l /$man_page does not render a page with the commands: $(head -n 3 "$tmp/man.err")"
    fi
  fi
fi

# --- installed into a throwaway root ---------------------------------------------------------
# dpkg --root installs with its own empty database; --force-depends because that database has
# none of the libraries (checked above), --force-not-root so a developer needs no sudo.
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
if have dpkg "installing the package"; then
  if install_log=$(dpkg --root="$root" --force-depends --force-not-root --force-unsafe-io \
    --log=/dev/null --install "$deb" 2>&1); then
    ok "dpkg --root installs $package"
    installed=$(dpkg --root="$root" --listfiles "$package" 2>/dev/null || true)
    for path in "$binary" "$cli" "$desktop_file" "$metainfo" "$man_page" \
      "usr/share/icons/hicolor/32x32/apps/${icon:-chaptercast-app}.png" \
      "usr/share/icons/hicolor/128x128/apps/${icon:-chaptercast-app}.png"; do
      if [[ -f "$root/$path" ]] && grep -qx -- "/$path" <<<"$installed"; then
        ok "installed /$path"
      else
        fail "after dpkg --install, /$path is not there (or not registered to $package)"
      fi
    done
    for bin in "$binary" "$cli"; do
      if version=$("$root/$bin" --version 2>&1); then
        ok "the installed /$bin runs: ${version%%$'\n'*}"
      else
        fail "the installed /$bin does not run: $version"
      fi
    done
  else
    fail "dpkg --root=... --install $deb failed: $install_log"
  fi
fi

# --- verdict ---------------------------------------------------------------------------------
if ((${#skipped[@]})); then
  echo "check-package: NOT CHECKED (a checker is missing; CI fails on this): ${skipped[*]}" >&2
fi
if ((${#problems[@]})); then
  echo >&2
  echo "check-package: ${#problems[@]} problem(s) in $deb:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
echo "check-package: $deb is fine"
