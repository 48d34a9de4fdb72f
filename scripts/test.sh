#!/usr/bin/env bash
# Runs the whole test suite against real services: installs what is missing, builds the web UI,
# checks style and types, then runs vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
npm run --silent build:web
npm run --silent lint
npm run --silent typecheck
exec npx vitest run "$@"
