#!/usr/bin/env sh
# The first step of `npm test` (its `pretest` script): install, idempotently
# and quickly when already present, every tool the test suite needs, so that
# `npm ci && npm test` passes on a fresh clone with nothing run before it.
#   - openssl (the HTTP source's TLS test makes a self-signed certificate);
#   - the real Hoppscotch CLI and a Node 22 to run it, in .tools/hopp;
#   - newman (Postman) and bru (Bruno), in .tools/clients;
#   - Debian's chromium, for the browser tests;
#   - Debian's redis-server, for the Redis store and lease tests (each test
#     file starts its own server on a free loopback port: test/support/redis.ts).
# Set API_LIVE_SYNC_SKIP_TOOLS=1 to skip (the tests that need a tool then fail
# with a message naming this script).
set -eu

if [ "${API_LIVE_SYNC_SKIP_TOOLS:-}" = "1" ]; then
  echo "test-setup: API_LIVE_SYNC_SKIP_TOOLS=1, not installing test tools"
  exit 0
fi

ROOT="$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-setup: $1 is missing and apt-get is not available; install $1 by hand" >&2
    exit 1
  fi
  echo "test-setup: installing $*"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v openssl >/dev/null 2>&1 || apt_install openssl
command -v redis-server >/dev/null 2>&1 || apt_install redis-server
sh "$ROOT/scripts/install-hopp.sh"
sh "$ROOT/scripts/install-clients.sh"
sh "$ROOT/scripts/install-chromium.sh"
