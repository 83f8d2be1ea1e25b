#!/usr/bin/env sh
# Install the real Postman runner (newman) and Bruno's CLI (bru) into
# .tools/clients, kept out of the project's own dependencies (together they
# bring about 400 MB that only the client-runner tests need).
# Both run on the machine's Node 20. Idempotent: does nothing when both are
# already there.
set -eu

ROOT="$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
PREFIX="$ROOT/.tools/clients"
NEWMAN_VERSION="6.2.2"
BRU_VERSION="4.1.0"
NEWMAN_JS="$PREFIX/node_modules/newman/bin/newman.js"
BRU_JS="$PREFIX/node_modules/@usebruno/cli/bin/bru.js"

if [ -f "$NEWMAN_JS" ] && [ -f "$BRU_JS" ]; then
  echo "newman and bru already installed in $PREFIX"
  exit 0
fi

mkdir -p "$PREFIX"
# A package.json of its own, so npm does not climb to the project's.
[ -f "$PREFIX/package.json" ] || echo '{"name":"api-live-sync-test-clients","private":true}' > "$PREFIX/package.json"
npm install --prefix "$PREFIX" --no-audit --no-fund \
  "newman@$NEWMAN_VERSION" "@usebruno/cli@$BRU_VERSION"

node "$NEWMAN_JS" --version
node "$BRU_JS" --version
echo "newman $NEWMAN_VERSION and bru $BRU_VERSION installed in $PREFIX"
