#!/usr/bin/env bash
# The Asterisk runtime: the system Asterisk when it is >= 20, else a Debian sid root file
# system (built once with mmdebstrap, cached, keyed by its package list) in which the
# appliance runs Asterisk with chroot.
#
# Result: "$PHONEBANK_CACHE/runtime" is a symlink to the root in use, or the file
# "$PHONEBANK_CACHE/runtime.system" when the system Asterisk is used.
set -euo pipefail
source "$PHONEBANK_PROVISIONING/lib/common.sh"

cache="$PHONEBANK_CACHE"
major=$(system_asterisk_major)
if [[ -n "$major" && "$major" -ge 20 ]]; then
    log "using the system Asterisk $major"
    # The OS package starts its own Asterisk on the default ports: the appliance runs its
    # own instances, so the packaged service is turned off.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled asterisk >/dev/null 2>&1; then
        systemctl disable --now asterisk >/dev/null 2>&1 || true
        log "disabled the packaged asterisk service"
    fi
    mkdir -p /srv/phonebank
    echo "system" >"$cache/runtime.system"
    rm -f "$cache/runtime"
    exit 0
fi
rm -f "$cache/runtime.system"

suite=sid
mirror=http://deb.debian.org/debian
include=asterisk,asterisk-modules,asterisk-core-sounds-en-wav,sox,espeak-ng
key=$(echo "$suite $include v1" | sha256sum | cut -c1-12)
root="$cache/asterisk-$suite-$key"

if [[ -x "$root/usr/sbin/asterisk" && -f "$root/.phonebank-complete" ]]; then
    log "cached root: $root"
else
    log "building a Debian $suite root with Asterisk (first run only, about a minute)"
    tmp="$root.partial.$$"
    rm -rf "$tmp"
    mmdebstrap --variant=minbase --quiet \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="$include" --components=main \
        "$suite" "$tmp" "$mirror"
    touch "$tmp/.phonebank-complete"
    rm -rf "$root"
    mv "$tmp" "$root"
    log "built: $root ($(du -sh "$root" | cut -f1))"
fi
# The mount points the runtime uses inside the root.
mkdir -p "$root/srv/phonebank"
chroot "$root" asterisk -V | sed 's/^/    /'
ln -sfn "$(basename "$root")" "$cache/runtime"
