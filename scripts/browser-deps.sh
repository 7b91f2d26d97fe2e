#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download).
# Install it when missing and we are allowed to; otherwise the browser tests say why they cannot run.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian chromium for the browser tests..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
else
  echo "warning: /usr/bin/chromium is missing; install Debian's chromium package to run the browser tests" >&2
fi
