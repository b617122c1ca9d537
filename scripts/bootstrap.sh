#!/usr/bin/env bash
# Bring a clone (clean or not) to the state `make test` / `make demo` need, doing only what is missing.
# Idempotent: every step is guarded by a presence check or a content hash ("stamp"), so a second run
# on a ready tree takes about a second.
#
# Environment knobs:
#   PYTHON                       interpreter used to create .venv (default: python3.11 found on PATH/pyenv)
#   DATABASE_URL + REDIS_URL     when both are set, the throwaway PostgreSQL/Redis binaries are not needed
#   BOOTSTRAP_SKIP_APT=1         never call apt-get (report what is missing and fail instead)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
START=$SECONDS

log() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

hash_files() { cat "$@" | sha256sum | cut -d' ' -f1; }

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"; return; fi
    local candidate
    for candidate in python3.11 "$HOME/.pyenv/shims/python3.11" /root/.pyenv/versions/3.11*/bin/python3.11; do
        if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return; fi
    done
    die "python3.11 not found (set PYTHON=/path/to/python3.11)"
}

# --- Debian packages -------------------------------------------------------------------------------
apt_needed=()
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
    apt_needed+=(chromium chromium-driver)
fi
# Throwaway servers (tests/support/servers.py) need the server binaries only when no URLs are given.
if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
    if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then apt_needed+=(postgresql); fi
    if ! command -v redis-server >/dev/null 2>&1; then apt_needed+=(redis-server); fi
fi
# .ci/run creates its database with createdb/psql.
if ! command -v psql >/dev/null 2>&1; then apt_needed+=(postgresql-client); fi
# promtool (alert-rule unit tests) and prometheus (the scrape test) come from Debian's prometheus package.
if ! command -v promtool >/dev/null 2>&1 || [[ ! -x /usr/bin/prometheus ]]; then apt_needed+=(prometheus); fi
# The overlay test renders k8s/overlays with kubectl's built-in kustomize (v4 or newer: kubectl 1.21+). No
# registry this project installs from has one that new (Debian's kubernetes-client is 1.20), so it is
# expected on PATH, as on this machine kind; without it that test fails under CI=true (skips otherwise).
if ! command -v kubectl >/dev/null 2>&1; then
    log "warning: kubectl not on PATH; tests/infra/test_k8s_overlays.py needs it"
fi

if ((${#apt_needed[@]})); then
    if [[ "${BOOTSTRAP_SKIP_APT:-0}" == 1 ]]; then
        die "missing Debian packages: ${apt_needed[*]} (BOOTSTRAP_SKIP_APT=1 forbids installing them)"
    fi
    if [[ $(id -u) -ne 0 ]]; then
        die "missing Debian packages: ${apt_needed[*]}; install them as root: apt-get install -y ${apt_needed[*]}"
    fi
    log "installing Debian packages: ${apt_needed[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # Packages that ship a service (prometheus) must not start it: the tests start their own, on loopback.
    # policy-rc.d answering 101 forbids any start during this install; one that was there already stays.
    own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    apt-get install -y -q --no-install-recommends "${apt_needed[@]}" </dev/null
    if ((own_policy)); then rm -f /usr/sbin/policy-rc.d; fi
fi

# --- Python virtualenv -----------------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    py="$(find_python)"
    log "creating .venv with $py"
    "$py" -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || die ".venv is not Python 3.11; delete it and rerun"

req_stamp="$VENV/.requirements.sha256"
req_hash="$(hash_files requirements.txt requirements-dev.txt)"
if [[ "$(cat "$req_stamp" 2>/dev/null || true)" != "$req_hash" ]]; then
    log "installing requirements-dev.txt into .venv"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
    echo "$req_hash" >"$req_stamp"
fi

# --- Node tools (anvil, test dApp, reference-wallet build deps) ------------------------------------
npm_stamp="node_modules/.package-lock.sha256"
npm_hash="$(hash_files package-lock.json)"
if [[ ! -d node_modules ]]; then
    log "npm ci (no node_modules)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_hash" >"$npm_stamp"
elif [[ "$(cat "$npm_stamp" 2>/dev/null || true)" != "$npm_hash" ]]; then
    if [[ ! -f "$npm_stamp" ]] && npm ls --all >/dev/null 2>&1; then
        # node_modules installed before stamps existed and npm says it is complete: adopt it rather than
        # wiping a tree other processes may be using.
        echo "$npm_hash" >"$npm_stamp"
    else
        log "npm ci (package-lock.json changed)"
        npm ci --no-audit --no-fund --loglevel=error
        echo "$npm_hash" >"$npm_stamp"
    fi
fi

# --- Reference wallet (our MV3 test extension) -----------------------------------------------------
if [[ -f tests/reference_wallet/build.mjs ]]; then
    wallet_stamp="$VENV/.reference_wallet.sha256"
    wallet_hash="$(find tests/reference_wallet \( -name dist -o -name node_modules -o -name __pycache__ \) -prune \
        -o -type f -print0 | LC_ALL=C sort -z | xargs -0 cat | sha256sum | cut -d' ' -f1)"
    if [[ ! -d tests/reference_wallet/dist || "$(cat "$wallet_stamp" 2>/dev/null || true)" != "$wallet_hash" ]]; then
        log "building the reference wallet"
        node tests/reference_wallet/build.mjs
        echo "$wallet_hash" >"$wallet_stamp"
    fi
fi

log "ready in $((SECONDS - START))s"
