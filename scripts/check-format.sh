#!/usr/bin/env bash
# Fails when a C++ source of the repository is not formatted as .clang-format says (run by ctest
# as the test `clang_format`; `clang-format -i` on the files it names fixes them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v clang-format >/dev/null || { echo "check-format: clang-format not installed (scripts/setup.sh installs it)" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
  mapfile -t files < <(find src tests bench -name '*.cpp' -o -name '*.hpp')
fi
((${#files[@]} > 0)) || { echo "check-format: no sources found" >&2; exit 1; }
bad=$(clang-format --dry-run "${files[@]}" 2>&1 | grep -o '^[^: ]*\.[ch]pp:[0-9]*' | cut -d: -f1 | sort -u || true)
if [[ -n "$bad" ]]; then
  echo "check-format: not formatted (clang-format -i fixes them):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
