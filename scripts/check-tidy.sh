#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) over every C++ file under src/ and fails on any finding.
# Not part of the test suite: on two cores it takes ~6 minutes, ~12 with the static analyzer.
#
#   scripts/check-tidy.sh [--analyzer] [BUILD_DIR]   (BUILD_DIR default build/release)
#
# --analyzer also runs the clang-analyzer-* checks .clang-tidy lists.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
checks='-clang-analyzer-*'
if [[ ${1:-} == --analyzer ]]; then checks=''; shift; fi
BUILD=${1:-build/release}
command -v clang-tidy >/dev/null || { echo "check-tidy: clang-tidy not installed (scripts/setup.sh installs it)" >&2; exit 1; }
[[ -f $BUILD/compile_commands.json ]] ||
  { echo "check-tidy: no $BUILD/compile_commands.json (cmake --preset release first)" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
git ls-files 'src/*.cpp' | xargs -P"$(nproc)" -n4 clang-tidy -p "$BUILD" ${checks:+--checks="$checks"} --quiet \
  >"$out" 2>/dev/null || true
findings=$(grep -E '(warning|error): ' "$out" | sort -u || true)
if [[ -n "$findings" ]]; then
  echo "$findings" >&2
  echo "check-tidy: $(wc -l <<<"$findings") finding(s)" >&2
  exit 1
fi
echo "check-tidy: $(git ls-files 'src/*.cpp' | wc -l) files, no findings"
