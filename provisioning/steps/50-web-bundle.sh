#!/usr/bin/env bash
# Web bundle: the browser phone's SIP library, JsSIP from npm, bundled by esbuild into
# web/static/vendor/jssip.min.js (IIFE exposing the global `JsSIP`). The bundle is built
# here, never committed. Idempotent: skipped when newer than package-lock.json.
set -euo pipefail
PHONEBANK_PROVISIONING="${PHONEBANK_PROVISIONING:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
source "$PHONEBANK_PROVISIONING/lib/common.sh"

ROOT="$(cd "$PHONEBANK_PROVISIONING/.." && pwd)"
BUNDLE="$ROOT/web/static/vendor/jssip.min.js"
ENTRY="$ROOT/web/static/src/jssip-entry.js"

command -v npm >/dev/null 2>&1 || apt_ensure nodejs npm

cd "$ROOT"
if [[ -s "$BUNDLE" && "$BUNDLE" -nt package-lock.json && "$BUNDLE" -nt "$ENTRY" ]]; then
    log "bundle up to date: web/static/vendor/jssip.min.js"
    exit 0
fi
log "npm ci (jssip, esbuild)"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$(dirname "$BUNDLE")"
npm run --silent bundle
test -s "$BUNDLE"
log "built web/static/vendor/jssip.min.js"
