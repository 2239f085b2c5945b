#!/usr/bin/env bash
# Web bundle: the browser phone's SIP library (JsSIP from npm, bundled by esbuild into
# web/static/vendor/jssip.min.js) and the Chromium the browser tests drive.
# Idempotent: does nothing when the bundle is newer than package-lock.json and the
# browser is installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/web/static/vendor/jssip.min.js"
ENTRY="$ROOT/web/static/src/jssip-entry.js"

apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "50-web-bundle: missing $*; install it (as root: apt-get install -y $*)" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

command -v npm >/dev/null 2>&1 || apt_install nodejs npm
command -v chromium >/dev/null 2>&1 || apt_install chromium

cd "$ROOT"
if [ -f "$BUNDLE" ] && [ "$BUNDLE" -nt package-lock.json ] && [ "$BUNDLE" -nt "$ENTRY" ]; then
    echo "==> Web bundle up to date"
    exit 0
fi
echo "==> Web bundle (JsSIP via esbuild)"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$(dirname "$BUNDLE")"
npm run --silent bundle
test -s "$BUNDLE"
