#!/usr/bin/env bash
# Starts Borgflow on this machine: installs what is missing, then runs the whole stack in the
# foreground until Ctrl-C. See README.md for the settings.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node --import tsx bin/borgflow.ts
