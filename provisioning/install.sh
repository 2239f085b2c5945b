#!/usr/bin/env bash
# Provision this machine for Phonebank: host packages, the Asterisk runtime, the prompts.
#
# Idempotent: every step checks what is already there and does only what is missing, so a
# second run takes seconds. Steps are the files provisioning/steps/NN-*.sh, run in name
# order; add a capability by adding a step.
#
# Environment:
#   PHONEBANK_CACHE   where built artefacts are kept (default ${XDG_CACHE_HOME:-~/.cache}/phonebank)
#   PHONEBANK_STEPS   run only the steps whose names contain one of these words (space separated)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PHONEBANK_PROVISIONING="$HERE"
export PHONEBANK_CACHE="${PHONEBANK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/phonebank}"
mkdir -p "$PHONEBANK_CACHE"

started=$(date +%s)
shopt -s nullglob
steps=("$HERE"/steps/[0-9][0-9]-*.sh)
total=${#steps[@]}
n=0
for step in "${steps[@]}"; do
    n=$((n + 1))
    name="$(basename "$step" .sh)"
    if [[ -n "${PHONEBANK_STEPS:-}" ]]; then
        wanted=0
        for word in $PHONEBANK_STEPS; do [[ "$name" == *"$word"* ]] && wanted=1; done
        [[ $wanted == 1 ]] || continue
    fi
    t0=$(date +%s)
    echo "==> [$n/$total] $name"
    bash "$step"
    echo "    done in $(($(date +%s) - t0)) s"
done
echo "==> provisioning finished in $(($(date +%s) - started)) s"
