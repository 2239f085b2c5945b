# Shared helpers for provisioning steps (sourced, not run).

log() { echo "    $*"; }

# Install the Debian/Ubuntu packages given as arguments that are not installed yet.
# Runs `apt-get update` only when something is missing.
apt_ensure() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        log "packages present: $*"
        return 0
    fi
    log "installing: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Print the version (major number) of a system Asterisk, or nothing.
system_asterisk_major() {
    command -v asterisk >/dev/null 2>&1 || return 0
    asterisk -V 2>/dev/null | sed -n 's/^Asterisk \([0-9]\+\).*/\1/p'
}
