#!/usr/bin/env bash
# The WebGPU tests run onnxruntime-node's WebGPU provider (Dawn over Vulkan) on machines without
# a GPU through Mesa's software Vulkan driver (llvmpipe/lavapipe). Debian 12's own Mesa (22.3)
# is refused by Dawn ("shaderUniform*ArrayDynamicIndexing required"); the Mesa of
# bookworm-backports (25.x) works. Installs it once; quick when it is there.
set -euo pipefail

lavapipe() { compgen -G "/usr/share/vulkan/icd.d/lvp_icd*.json" >/dev/null; }
mesa_version() { dpkg-query -W -f '${Version}' mesa-vulkan-drivers 2>/dev/null || true; }
major() { local v; v="$(mesa_version)"; v="${v#*:}"; echo "${v%%.*}"; }

if lavapipe && [[ "$(major)" =~ ^[0-9]+$ ]] && (( $(major) >= 24 )); then
  exit 0
fi

SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
. /etc/os-release
if [[ "${VERSION_CODENAME:-}" == bookworm ]]; then
  LIST=/etc/apt/sources.list.d/bookworm-backports.list
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "gpu tests: adding bookworm-backports for a Mesa that Dawn accepts" >&2
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee "$LIST" >/dev/null
  fi
  echo "gpu tests: installing Mesa's software Vulkan driver from bookworm-backports" >&2
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1
else
  echo "gpu tests: installing Mesa's software Vulkan driver" >&2
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y mesa-vulkan-drivers libvulkan1
fi

if ! lavapipe || (( $(major) < 24 )); then
  echo "gpu tests: Mesa $(mesa_version) is installed; Dawn needs 24 or newer with lavapipe (/usr/share/vulkan/icd.d/lvp_icd*.json)" >&2
  exit 1
fi
echo "gpu tests: Mesa $(mesa_version) ready" >&2
