#!/usr/bin/env bash
# Installs dependencies, builds the sanitizer build and runs every test (unit + integration).
# Integration tests start their own private PostgreSQL and Redis (tests/support/test_env.cpp).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/setup.sh"
cmake --preset debug-asan
cmake --build --preset debug-asan
ctest --preset debug-asan "$@"
