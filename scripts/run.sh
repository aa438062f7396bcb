#!/usr/bin/env bash
# Builds and runs the whole platform on this machine:
#   setup.sh -> release build -> private PostgreSQL + Redis (data under var/) -> migrate ->
#   seed (only when there are no restaurants yet) -> swifteats serve.
# Ctrl-C stops the server, then Redis, then PostgreSQL. Re-running resumes with the same data.
#
# Environment: SWIFTEATS_PORT (HTTP, 8080), SWIFTEATS_PG_PORT (5433), SWIFTEATS_REDIS_PORT (6380),
# SWIFTEATS_VAR_DIR (<repo>/var), SWIFTEATS_SEED_ARGS (extra args for the first seed, e.g.
# "--restaurants 500"), SWIFTEATS_SKIP_BUILD=1 (use the existing build).
# Extra arguments are passed to `swifteats serve`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
HTTP_PORT=${SWIFTEATS_PORT:-8080}
export SWIFTEATS_PG_PORT=${SWIFTEATS_PG_PORT:-5433}
export SWIFTEATS_REDIS_PORT=${SWIFTEATS_REDIS_PORT:-6380}
VAR=${SWIFTEATS_VAR_DIR:-$ROOT/var}
BIN=$ROOT/build/release/src/swifteats

"$ROOT/scripts/setup.sh"

if [[ "${SWIFTEATS_SKIP_BUILD:-0}" != 1 ]]; then
  cmake --preset release
  # Only the server: tests and benchmarks would nearly double a first run's build.
  cmake --build --preset release --target swifteats
fi

SERVE_PID=""
stopped=0
stop_all() {
  ((stopped)) && return
  stopped=1
  trap - INT TERM EXIT
  echo
  if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
    echo "run: stopping swifteats serve (pid $SERVE_PID)"
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVE_PID" 2>/dev/null || true
  fi
  "$ROOT/scripts/local-services.sh" stop-redis || true
  "$ROOT/scripts/local-services.sh" stop-pg || true
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

"$ROOT/scripts/local-services.sh" start
eval "$("$ROOT/scripts/local-services.sh" env)"
export SWIFTEATS_MIGRATIONS=${SWIFTEATS_MIGRATIONS:-$ROOT/migrations}

"$BIN" migrate --pg "$SWIFTEATS_PG" --migrations "$SWIFTEATS_MIGRATIONS"

count=$(psql -X -tA -h 127.0.0.1 -p "$SWIFTEATS_PG_PORT" -U postgres -d swifteats \
  -c "SELECT count(*) FROM restaurants" 2>/dev/null || echo 0)
if [[ "${count:-0}" == 0 ]]; then
  echo "run: database has no restaurants: seeding the demo city"
  # shellcheck disable=SC2086
  "$BIN" seed --pg "$SWIFTEATS_PG" ${SWIFTEATS_SEED_ARGS:-}
else
  echo "run: database has $count restaurants: not seeding"
fi

cat <<INFO

  Swift Eats is starting
    URL:        http://127.0.0.1:$HTTP_PORT   (health: /health, metrics: /metrics)
    try:        curl 'http://127.0.0.1:$HTTP_PORT/restaurants?lat=12.9716&lng=77.5946&radius_m=3000&limit=5'
    data:       $VAR (PostgreSQL: $VAR/pg/data, Redis: $VAR/redis)
    logs:       $VAR/pg/postgres.log, $VAR/redis/redis.log; server logs on this terminal
    psql:       psql -h 127.0.0.1 -p $SWIFTEATS_PG_PORT -U postgres swifteats
    redis-cli:  redis-cli -p $SWIFTEATS_REDIS_PORT
    env:        SWIFTEATS_PG='$SWIFTEATS_PG' SWIFTEATS_REDIS='$SWIFTEATS_REDIS'
  Ctrl-C stops the server, Redis and PostgreSQL; re-run to resume with the same data.

INFO

# Not exec: the traps must outlive the server so Ctrl-C also stops Redis and PostgreSQL.
# (A background job of a script ignores SIGINT; the INT trap forwards SIGTERM, which the server
# handles by draining in-flight requests.)
"$BIN" serve --port "$HTTP_PORT" "$@" &
SERVE_PID=$!
set +e
wait "$SERVE_PID"
rc=$?
set -e
echo "run: swifteats serve exited with status $rc"
exit "$rc"
