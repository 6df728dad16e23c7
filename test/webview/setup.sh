#!/usr/bin/env bash
# The webview tests drive Debian's Chromium (playwright-core downloads no browser here).
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]]; then
  echo "webview tests: installing Debian's chromium" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
