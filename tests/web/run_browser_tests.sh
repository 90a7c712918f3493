#!/usr/bin/env bash
# Browser tests of the web page: real headless Chromium (Debian's
# /usr/bin/chromium) driven by playwright-core from npm.
#
#   tests/web/run_browser_tests.sh SPFDOCTOR
#
# Installs playwright-core into tests/web/node_modules (npm ci, from
# package-lock.json) when it is missing; playwright-core never downloads a
# browser. Screenshots go to $SCREENSHOT_DIR (default build/web-artifacts/).
# Prints "browser: N passed, M failed".
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SPFDOCTOR=$(realpath "${1:-$HERE/../../build/spfdoctor}")

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser: $tool is missing (scripts/install-deps.sh installs it)" >&2; echo "browser: 0 passed, 1 failed"; exit 1; }
done
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || { echo "browser: ${CHROMIUM:-/usr/bin/chromium} is missing (apt-get install chromium)" >&2; echo "browser: 0 passed, 1 failed"; exit 1; }

cd "$HERE"
if [[ ! -f node_modules/playwright-core/package.json ]]; then
  echo "browser: installing playwright-core (npm ci)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >&2
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node browser_test.mjs "$SPFDOCTOR"
