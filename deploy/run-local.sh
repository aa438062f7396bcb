#!/usr/bin/env bash
# Starts the multi-instance profile on this machine: one auth process, two catalog processes
# (each `swifteats serve --services X --port N`) and HAProxy in front of them (deploy/haproxy.cfg).
#
#   deploy/run-local.sh            # runs in the foreground; Ctrl-C stops everything it started
#
# Uses scripts/local-services.sh for PostgreSQL and Redis (started if needed) and applies the
# migrations. Environment (defaults in brackets):
#   SWIFTEATS_BIN           the binary [build/release/src/swifteats, else build/debug-asan/...]
#   GATEWAY_PORT [8080]     AUTH_PORT [8091]     CATALOG_PORTS ["8092 8093"]    ADMIN_PORT [8404]
#   SWIFTEATS_JWT_KEYS      shared HS256 keys (every process must have the same); a random key is
#                           generated for this run when unset
#   SWIFTEATS_BOOTSTRAP_ADMIN_EMAIL / _PASSWORD   first admin account (created if missing)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${SWIFTEATS_BIN:-}
if [[ -z $BIN ]]; then
  for b in "$ROOT/build/release/src/swifteats" "$ROOT/build/debug-asan/src/swifteats"; do
    [[ -x $b ]] && BIN=$b && break
  done
fi
[[ -x ${BIN:-} ]] || { echo "run-local: build swifteats first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
command -v haproxy >/dev/null || { echo "run-local: haproxy is not installed (apt-get install haproxy)" >&2; exit 2; }

GATEWAY_PORT=${GATEWAY_PORT:-8080}
AUTH_PORT=${AUTH_PORT:-8091}
read -r -a CATALOG <<<"${CATALOG_PORTS:-8092 8093}"
ADMIN_PORT=${ADMIN_PORT:-8404}

"$ROOT/scripts/local-services.sh" start
eval "$("$ROOT/scripts/local-services.sh" env)"
"$BIN" migrate --pg "$SWIFTEATS_PG"

# Every process must verify the others' tokens: one key set for all of them.
if [[ -z ${SWIFTEATS_JWT_KEYS:-} ]]; then
  SWIFTEATS_JWT_KEYS="local:$(head -c 32 /dev/urandom | base64)"
  echo "run-local: generated a JWT key for this run (set SWIFTEATS_JWT_KEYS to keep tokens across runs)"
fi
export SWIFTEATS_JWT_KEYS
export SWIFTEATS_TRUSTED_PROXIES=127.0.0.1   # believe X-Forwarded-For from HAProxy only

PIDS=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$BIN" serve --services auth --host 127.0.0.1 --port "$AUTH_PORT" --threads 1 &
PIDS+=($!)
for port in "${CATALOG[@]}"; do
  "$BIN" serve --services catalog --host 127.0.0.1 --port "$port" --threads 1 &
  PIDS+=($!)
done
for port in "$AUTH_PORT" "${CATALOG[@]}"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
done

export SE_GATEWAY_BIND=127.0.0.1:$GATEWAY_PORT SE_ADMIN_BIND=127.0.0.1:$ADMIN_PORT SE_CHECK_INTER=2s
export SE_AUTH_1=127.0.0.1:$AUTH_PORT SE_CATALOG_1=127.0.0.1:${CATALOG[0]} SE_CATALOG_2=127.0.0.1:${CATALOG[1]}
haproxy -f "$ROOT/deploy/haproxy.cfg" -db &
PIDS+=($!)
echo "run-local: gateway http://127.0.0.1:$GATEWAY_PORT (stats http://127.0.0.1:$ADMIN_PORT/haproxy); Ctrl-C stops"
wait -n "${PIDS[@]}" || true
echo "run-local: a process exited; stopping the rest" >&2
