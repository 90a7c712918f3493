#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking
# spfdoctor needs. Safe to run again: it only asks apt for what is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries (see README, "Libraries and why")
  libldns-dev libc-ares-dev nlohmann-json3-dev libcli11-dev libfmt-dev libcpp-httplib-dev
  libgmime-3.0-dev libre2-dev libmimalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev
  python3 python3-spf python3-dnspython python3-yaml
  nsd knot-dnsutils
  # web page tests (tests/web): headless Chromium driven by playwright-core from npm
  chromium
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
)

# Node.js and npm for tests/web: Debian's unless a node and npm are already on
# the machine (a NodeSource nodejs ships its own npm and conflicts with Debian's).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
