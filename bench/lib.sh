# What the bench/*/run.sh scripts share: messages, a temp dir, free loopback ports, a private
# PostgreSQL + Redis (scripts/local-services.sh) with the schema applied, and clean-up on exit.
# Sourced by a script that runs with `set -euo pipefail` and has set ROOT:
#
#   source "$ROOT/bench/lib.sh"
#   bench_begin orders             # log/die prefix "orders-bench:", $TMP, EXIT/INT/TERM traps
#   bench_services ordersbench "$SE"   # $PG_PORT $REDIS_PORT $PG, psql_q; migrations applied
#
# A script may define bench_on_exit() for its own clean-up (called before the services stop),
# set SE_PID to a server it started (stop_server stops it), and set BENCH_KEEP=1 to keep $TMP.

log() { echo "${BENCH_NAME:-bench}-bench: $*" >&2; }
die() { echo "${BENCH_NAME:-bench}-bench: error: $*" >&2; exit 2; }

# A port below the kernel's ephemeral range (an outgoing connection never takes it between this
# check and the server's bind: that once failed a run with "Address already in use") that no
# socket uses in any state.
free_port() {
  local p low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  ((low > 12000)) || low=32768
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % (low - 10000)))
    ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
  die "no free port"
}

# Brings the release preset's tree (build/release) up to date for the given targets, configuring
# it first if needed. The scripts call it when no build directory of their own was given.
bench_build_release() {
  [[ -f $ROOT/build/release/build.ninja ]] || (cd "$ROOT" && cmake --preset release >&2)
  (cd "$ROOT" && cmake --build --preset release -j2 --target "$@" >&2)
}

stop_server() {
  if [[ -n ${SE_PID:-} ]] && kill -0 "$SE_PID" 2>/dev/null; then
    kill -TERM "$SE_PID"
    for _ in $(seq 50); do kill -0 "$SE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SE_PID" 2>/dev/null || true
  fi
  SE_PID=
}

bench_cleanup() {
  local rc=$?
  set +e
  stop_server
  if declare -F bench_on_exit >/dev/null; then bench_on_exit; fi
  "$ROOT/scripts/local-services.sh" stop >/dev/null 2>&1
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}

bench_begin() {  # name
  BENCH_NAME=$1
  TMP=$(mktemp -d "/tmp/$1-bench.XXXXXX")
  chmod 755 "$TMP"  # postgres (initdb runs as postgres) and nginx workers must reach their files
  SE_PID=
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_services() {  # database swifteats-binary
  BENCH_DB=$1
  PG_PORT=$(free_port)
  REDIS_PORT=$(free_port)
  export SWIFTEATS_VAR_DIR=$TMP/var SWIFTEATS_PG_PORT=$PG_PORT SWIFTEATS_REDIS_PORT=$REDIS_PORT SWIFTEATS_PG_DB=$1
  PG="host=127.0.0.1 port=$PG_PORT dbname=$1 user=postgres"
  log "starting private PostgreSQL :$PG_PORT and Redis :$REDIS_PORT under $TMP/var"
  "$ROOT/scripts/local-services.sh" start >"$TMP/services.log" 2>&1 ||
    { cat "$TMP/services.log" >&2; die "services did not start"; }
  "$2" migrate --pg "$PG" >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log" >&2; die "migrate failed"; }
}

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$BENCH_DB" "$@"; }
