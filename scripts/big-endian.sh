#!/usr/bin/env bash
# Big-endian check of the SWAR byte scanners (src/util/swar.hpp users askable()
# and append_json_string()): builds tests/bigendian/swar_check.cpp with the
# real sources natively and for s390x (static, run under qemu-user), checks
# both against byte-by-byte references and that their outputs are identical,
# and that a mutant swar.hpp (load8 without its byte swap) is caught on s390x.
# Not part of scripts/test.sh (about 3 minutes); run it after changing
# src/util/swar.hpp or its users. Installs g++-s390x-linux-gnu and qemu-user
# when they are missing (Debian 12, root).
#   scripts/big-endian.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${1:-$(mktemp -d "${TMPDIR:-/tmp}/spfdoctor-be.XXXXXX")}
mkdir -p "$WORK"
if ! command -v s390x-linux-gnu-g++ >/dev/null || ! command -v qemu-s390x >/dev/null; then
  apt-get install -y --no-install-recommends g++-s390x-linux-gnu qemu-user >"$WORK/install.log" 2>&1 \
    || { echo "big-endian.sh: cannot install g++-s390x-linux-gnu qemu-user (see $WORK/install.log)" >&2; exit 2; }
fi
# nlohmann and fmt (header-only here) are installed for the host only: their
# two header directories alone, so no host C library header is mixed in.
mkdir -p "$WORK/hostinc"
ln -sfn /usr/include/nlohmann "$WORK/hostinc/nlohmann"
ln -sfn /usr/include/fmt "$WORK/hostinc/fmt"
FLAGS=(-std=c++20 -O2 -ffunction-sections -fdata-sections -Wl,--gc-sections -DFMT_HEADER_ONLY
  -I"$ROOT/include" -I"$ROOT/src" -I"$WORK/hostinc")
SRCS=("$ROOT/tests/bigendian/swar_check.cpp" "$ROOT/src/spf/macro.cpp" "$ROOT/src/report/json_writer.cpp")
g++ "${FLAGS[@]}" "${SRCS[@]}" -o "$WORK/check_native"
s390x-linux-gnu-g++ "${FLAGS[@]}" -static "${SRCS[@]}" -o "$WORK/check_s390x"
mkdir -p "$WORK/mutant/util"
sed 's/if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);//' \
  "$ROOT/src/util/swar.hpp" >"$WORK/mutant/util/swar.hpp"
s390x-linux-gnu-g++ -I"$WORK/mutant" "${FLAGS[@]}" -static "${SRCS[@]}" -o "$WORK/check_mutant"

status=0
"$WORK/check_native" all >"$WORK/native.txt" 2>"$WORK/native.err" || { echo "FAIL native:"; tail -5 "$WORK/native.err"; status=1; }
qemu-s390x "$WORK/check_s390x" all >"$WORK/s390x.txt" 2>"$WORK/s390x.err" || { echo "FAIL s390x:"; tail -5 "$WORK/s390x.err"; status=1; }
if cmp -s "$WORK/native.txt" "$WORK/s390x.txt"; then
  echo "big-endian: native and s390x outputs identical ($(wc -l <"$WORK/native.txt") cases)"
else
  echo "FAIL: native and s390x outputs differ ($(diff "$WORK/native.txt" "$WORK/s390x.txt" | grep -c '^<') lines)"
  status=1
fi
if qemu-s390x "$WORK/check_mutant" all >/dev/null 2>&1; then
  echo "FAIL: the mutant swar.hpp (load8 without its byte swap) passed on s390x: the check cannot see byte order"
  status=1
else
  echo "big-endian: the mutant swar.hpp is caught on s390x"
fi
((status == 0)) && echo "big-endian: passed" || echo "big-endian: FAILED (work files in $WORK)" >&2
exit "$status"
