#!/usr/bin/env sh
# Install Debian's chromium package for the browser test
# (test/browser/live-page.test.ts drives /usr/bin/chromium with playwright-core;
# no browser download by Playwright). Debian and Debian-based systems only.
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: apt-get not found; this script is for Debian. Install a Chromium at $CHROMIUM by other means." >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

echo "installing Debian's chromium package"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium.sh: the chromium package is installed but $CHROMIUM is missing" >&2
  exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
