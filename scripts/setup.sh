#!/usr/bin/env bash
# Installs everything Swift Eats needs to build, test and run on Debian 12 (run as root).
# Idempotent: when every package is already installed it does nothing (no apt-get update),
# so re-runs take well under a second. It never starts or relies on the distro's own
# PostgreSQL/Redis services: scripts/local-services.sh runs private servers under var/.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format clang-tidy
  # clang with libFuzzer and its sanitizer runtimes: the `fuzz` preset (README, "Fuzzing")
  clang libclang-rt-14-dev
  # C++ libraries
  libboost-dev libpq-dev libhiredis-dev librdkafka-dev nlohmann-json3-dev libspdlog-dev
  libfmt-dev libcli11-dev libsodium-dev liblemon-dev libgtest-dev libgmock-dev libbenchmark-dev
  libjemalloc-dev
  # data stores (we run private instances; see scripts/local-services.sh)
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib postgresql-client-15
  redis-server redis-tools
  # benchmarking / load balancing / tooling
  nginx-light wrk haproxy curl procps util-linux ca-certificates netcat-openbsd
  # the MDRP tools (tools/*.py) and their test
  python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep package post-install scripts from starting the distro's postgres/redis/nginx/haproxy
# services: we never use them, and they would take ports. (policy-rc.d exit 101 = "denied".)
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { if ((created_policy)); then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup: done"
