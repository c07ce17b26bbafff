#!/usr/bin/env bash
# Runs the whole product as one process: embedded engine, call simulator, dashboard on
# http://localhost:8080 (PORT to change). Needs only Node/npm on the machine; installs
# Node 24 and pnpm for the user on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm build >/dev/null
echo "live-calls: dashboard on http://localhost:${PORT:-8080} (Ctrl-C stops)" >&2
exec pnpm --silent --dir backend start
