#!/usr/bin/env bash
# Prompts: speech for the appliance (safe-harbor, voicemail, PIN prompts...) and for the
# simulated callees, generated with espeak-ng and converted by sox to 8 kHz mono wav.
# Cached under "$PHONEBANK_CACHE/sounds-<key>" (keyed by the prompt list), linked as
# "$PHONEBANK_CACHE/sounds".
set -euo pipefail
source "$PHONEBANK_PROVISIONING/lib/common.sh"

list="$PHONEBANK_PROVISIONING/../asterisk/sounds/prompts.txt"
key=$( (cat "$list"; echo "beep 1000Hz 0.6s silence-1 v2") | sha256sum | cut -c1-12)
dir="$PHONEBANK_CACHE/sounds-$key"

if [[ -f "$dir/.complete" ]]; then
    log "cached prompts: $dir"
else
    tmp="$dir.partial.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    count=0
    while IFS='|' read -r name voice wpm text; do
        name=$(echo "$name" | xargs)
        [[ -z "$name" || "$name" == \#* ]] && continue
        voice=$(echo "$voice" | xargs)
        wpm=$(echo "$wpm" | xargs)
        espeak-ng -v "$voice" -s "$wpm" -w "$tmp/$name.raw.wav" "$text"
        # 0.2 s of lead-in, as a real phone line has, then 8 kHz mono 16 bit.
        sox "$tmp/$name.raw.wav" -r 8000 -c 1 -b 16 "$tmp/$name.wav" pad 0.2 0
        rm -f "$tmp/$name.raw.wav"
        count=$((count + 1))
    done <"$list"
    sox -n -r 8000 -c 1 -b 16 "$tmp/beep.wav" synth 0.6 sine 1000 vol 0.5
    sox -n -r 8000 -c 1 -b 16 "$tmp/silence-1.wav" trim 0 1
    touch "$tmp/.complete"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    log "generated $((count + 2)) prompts in $dir"
fi
ln -sfn "$(basename "$dir")" "$PHONEBANK_CACHE/sounds"
