#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang++ with ASan+UBSan) in build-fuzz/
# and runs each for a bounded time on a scratch copy of its committed corpus
# (fuzz/corpus/TARGET, dictionary fuzz/TARGET.dict). Fails on any crash, leak,
# sanitizer report, broken invariant or slow input; the input that did it is
# saved under build-fuzz/artifacts/TARGET/ and the command to replay it is
# printed.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]     (default: 30 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-30}
shift || true
if ! [[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || ((SECONDS_PER_TARGET < 1)); then
  echo "fuzz.sh: SECONDS_PER_TARGET must be a positive whole number, not '$SECONDS_PER_TARGET'" >&2
  exit 2
fi
ALL_TARGETS=(fuzz_record fuzz_macro fuzz_master_file fuzz_dns_response fuzz_check_host fuzz_bounce fuzz_http)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${ALL_TARGETS[@]}")

# Longest input per target: a record fits in a few TXT strings, DNS answers
# and master files a little more; a bounce seed is a whole message (< 20 KB);
# an HTTP connection a few requests, or one with a small bounce (fuzz_http's
# server has limits of 2 KiB per head and 4 KiB per body, so both are hit).
declare -A MAX_LEN=([fuzz_record]=1024 [fuzz_macro]=512 [fuzz_master_file]=4096 [fuzz_dns_response]=4096
  [fuzz_check_host]=1024 [fuzz_bounce]=20480 [fuzz_http]=8192)

BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
CXX_FOR_FUZZ=${FUZZ_CXX:-clang++}
if ! command -v "$CXX_FOR_FUZZ" >/dev/null; then
  echo "fuzz.sh: $CXX_FOR_FUZZ not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
# -O1 -g1 as libFuzzer suggests; assertions stay on.
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_FOR_FUZZ" -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -g1" -DSPFDOCTOR_FUZZ=ON -DSPFDOCTOR_TESTS=OFF -DSPFDOCTOR_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)" --target fuzz_targets

scratch=$(mktemp -d "${TMPDIR:-/tmp}/spfdoctor-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

failed=()
for target in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/fuzz/$target"
  if [[ ! -x $binary ]]; then
    echo "fuzz.sh: no fuzz target '$target' (known: ${ALL_TARGETS[*]})" >&2
    exit 2
  fi
  corpus="$scratch/$target"
  mkdir -p "$corpus"
  cp fuzz/corpus/"$target"/* "$corpus"/
  artifacts="$BUILD_DIR/artifacts/$target"
  mkdir -p "$artifacts"
  echo "fuzz.sh: $target for ${SECONDS_PER_TARGET}s ($(ls "$corpus" | wc -l) seeds)"
  log="$scratch/$target.log"
  if TMPDIR="$scratch" "$binary" "$corpus" -dict="fuzz/$target.dict" -max_total_time="$SECONDS_PER_TARGET" \
    -max_len="${MAX_LEN[$target]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" | sed 's/^/  /' || true
  else
    tail -n 60 "$log" >&2
    crash=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
    echo "fuzz.sh: $target FAILED; replay with: $binary ${crash:-<artifact>}" >&2
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz.sh: failing targets: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET}s each without a finding"
