#!/usr/bin/env bash
# Source this file (`source scripts/node24.sh`) to put Node 24 LTS first on PATH.
# When the node on PATH is older, the pinned node@24 build is installed from the npm registry
# into the git-ignored .node/ folder of the checkout (once; later calls reuse it).
_shop_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_shop_node_version="${SHOP_NODE_VERSION:-24.21.0}"
_shop_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_shop_major" -lt 24 ]; then
  case "$(uname -m)" in
    x86_64) _shop_arch=x64 ;;
    aarch64 | arm64) _shop_arch=arm64 ;;
    *) echo "node24: unsupported architecture $(uname -m)" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  _shop_pkg="node-linux-${_shop_arch}"
  _shop_bin="$_shop_root/.node/node_modules/$_shop_pkg/bin"
  if [ "$("$_shop_bin/node" --version 2>/dev/null)" != "v$_shop_node_version" ]; then
    echo "node24: installing $_shop_pkg@$_shop_node_version into .node/" >&2
    mkdir -p "$_shop_root/.node"
    npm install --no-save --no-package-lock --prefix "$_shop_root/.node" \
      "$_shop_pkg@$_shop_node_version" >&2 || { return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_shop_bin:$PATH"
fi
unset _shop_root _shop_node_version _shop_major _shop_arch _shop_pkg _shop_bin
