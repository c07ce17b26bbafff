#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real, when any is missing.
# Needs root (or sudo); says which package is missing if it cannot install it.
set -euo pipefail

declare -A wanted=(
  [redis-server]=redis-server
  [nats-server]=nats-server
  [caddy]=caddy
  [kamailio]=kamailio
  [chromium]=chromium
  # promtool checks and unit-tests the Prometheus rules in infra/prometheus/.
  [promtool]=prometheus
)
modules_dir=/usr/lib/x86_64-linux-gnu/kamailio/modules

missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done
[ -f "$modules_dir/evapi.so" ] || missing+=(kamailio-extra-modules)
[ -f "$modules_dir/jsonrpcs.so" ] || missing+=(kamailio-json-modules)

[ ${#missing[@]} -eq 0 ] && exit 0

echo "live-calls: installing Debian packages: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "live-calls: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" kamailio-extra-modules kamailio-json-modules >/dev/null
