#!/usr/bin/env bash
# Host packages: the SIP test phone, speech synthesis for prompts, the browser for UI tests,
# and the tools to build the Asterisk root where the OS ships no Asterisk.
set -euo pipefail
source "$PHONEBANK_PROVISIONING/lib/common.sh"

packages=(baresip espeak-ng sox chromium chromium-driver ca-certificates util-linux)

# The OS's own Asterisk when it packages a recent one (Ubuntu 24.04: 20, Debian sid: 22).
candidate=$(apt-cache policy asterisk 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]\+\).*/\1/p' || true)
if [[ -n "$candidate" && "$candidate" -ge 20 ]]; then
    packages+=(asterisk asterisk-modules asterisk-core-sounds-en-wav)
else
    packages+=(mmdebstrap)
fi
apt_ensure "${packages[@]}"
