#!/usr/bin/env bash
# Source this file (`source scripts/node24.sh`) to put Node 24 LTS first on PATH, for the commands
# that do not bootstrap themselves (`npm run dev` and `npm test` do). When the node on PATH is not
# Node 24, scripts/ensure-install.mjs installs the pinned build from the npm registry into the
# git-ignored .node/ folder of the checkout (once; later calls reuse it).
_shop_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_shop_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_shop_major" != 24 ]; then
  if _shop_bin="$(node "$_shop_root/scripts/ensure-install.mjs" --node-bin)"; then
    export PATH="$_shop_bin:$PATH"
  else
    unset _shop_root _shop_major _shop_bin
    return 1 2>/dev/null || exit 1
  fi
fi
unset _shop_root _shop_major _shop_bin
