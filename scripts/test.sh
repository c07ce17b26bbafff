#!/usr/bin/env bash
# Runs the whole test suite against real servers (Redis, NATS, Kamailio, Caddy, Chromium),
# installing what is missing first: Node 24 and pnpm from the npm registry, the servers
# from Debian's packages (needs root or sudo). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
bash scripts/system-packages.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm build >/dev/null
pnpm test
pnpm e2e
