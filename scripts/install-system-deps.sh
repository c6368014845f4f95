#!/usr/bin/env bash
# The system libraries Qt 6 needs on Debian or Ubuntu, installed only if missing.
#   scripts/install-system-deps.sh            for the tests (Qt renders offscreen)
#   scripts/install-system-deps.sh --window   also what a real window on X11 needs
set -euo pipefail

packages=(libglib2.0-0 libgl1 libegl1 libx11-6 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3)
if [ "${1:-}" = "--window" ]; then
    packages+=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
               libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-xinerama0 libxcb-xkb1)
fi

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get here; install the Qt 6 runtime libraries with your package manager" >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "install-system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
