#!/usr/bin/env bash
# Private PostgreSQL 15 + PostGIS and Redis 7 for local development, with data under <repo>/var/.
#
#   scripts/local-services.sh start    # initdb on first use, then start both (idempotent)
#   scripts/local-services.sh stop     # redis SHUTDOWN (saves), then pg_ctl stop -m fast
#   scripts/local-services.sh status   # exit 0 when both are up
#   scripts/local-services.sh env      # prints export lines for SWIFTEATS_PG / SWIFTEATS_REDIS
#
# Environment: SWIFTEATS_VAR_DIR (default <repo>/var), SWIFTEATS_PG_PORT (5433),
# SWIFTEATS_REDIS_PORT (6380), SWIFTEATS_PG_DB (swifteats).
# Ports differ from the distro defaults (5432/6379) so they never clash with system services.
# PostgreSQL listens on 127.0.0.1 only, with trust auth for local connections (development only).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR=${SWIFTEATS_VAR_DIR:-$ROOT/var}
PG_PORT=${SWIFTEATS_PG_PORT:-5433}
REDIS_PORT=${SWIFTEATS_REDIS_PORT:-6380}
PG_DB=${SWIFTEATS_PG_DB:-swifteats}
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR=$VAR/pg
PGDATA=$PG_DIR/data
PG_LOG=$PG_DIR/postgres.log
REDIS_DIR=$VAR/redis
REDIS_LOG=$REDIS_DIR/redis.log
REDIS_PID=$REDIS_DIR/redis.pid

log() { echo "local-services: $*"; }
die() { echo "local-services: error: $*" >&2; exit 1; }

# Runs a command as the postgres user (initdb and postgres refuse to run as root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Unix socket dir: inside var/pg unless the path is too long for a socket (107 bytes).
socket_dir() {
  local d=$PG_DIR/run
  if (( ${#d} + 20 > 100 )); then d=/tmp/swifteats-pg-$PG_PORT; fi
  echo "$d"
}

pg_conninfo() { echo "host=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=postgres"; }

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }
redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

# The postgres user must be able to reach var/pg: give path components o+x (traverse only).
ensure_traversable() {
  local d=$1
  [[ $(id -u) -eq 0 ]] || return 0
  while [[ "$d" != "/" ]]; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      log "granting traverse permission (o+x) on $d so the postgres user can reach its data"
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

start_pg() {
  [[ -x $PG_BIN/initdb ]] || die "PostgreSQL 15 not installed: run scripts/setup.sh"
  id postgres >/dev/null 2>&1 || die "no 'postgres' user: run scripts/setup.sh"
  mkdir -p "$PG_DIR"
  local sock; sock=$(socket_dir)
  mkdir -p "$sock"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PG_DIR" "$sock"; fi
  ensure_traversable "$PG_DIR"
  if [[ ! -s $PGDATA/PG_VERSION ]]; then
    log "initdb $PGDATA"
    mkdir -p "$PGDATA"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PGDATA"; fi
    chmod 700 "$PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 --lc-collate=C \
      --auth-local=trust --auth-host=trust >"$PG_DIR/initdb.log" 2>&1 ||
      { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    # Local development settings; trust auth on loopback only (see docs/operations.md).
    cat >>"$PGDATA/postgresql.conf" <<CONF

# --- swifteats local development ---
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
checkpoint_timeout = 15min
# Durable commits: an answered order survives a crash of PostgreSQL or of the machine.
synchronous_commit = on
# Ask the kernel to write out the data pages a backend evicts every 256 kB, instead of letting
# them pile up in the page cache until its 30 s writeback flushes 100-250 MB at once, which
# stalls every WAL flush (every commit) behind it for seconds (docs/benchmarks.md, 2026-11-27).
backend_flush_after = 256kB
CONF
  fi
  if pg_running; then
    log "PostgreSQL already running on port $PG_PORT"
  else
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    touch "$PG_LOG"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PG_LOG"; fi
    # setsid: a Ctrl-C in the terminal must not reach the server; run.sh stops it itself.
    as_pg setsid "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -k $sock -c listen_addresses=127.0.0.1" start >/dev/null ||
      { tail -n 30 "$PG_LOG" >&2; die "PostgreSQL did not start"; }
  fi
  # Wait until it accepts connections on TCP (pg_ctl -w already waited for readiness).
  local i
  for ((i = 0; i < 100; i++)); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 0.1
  done
  if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") ]]; then
    log "creating database $PG_DB"
    psql_admin -qc "CREATE DATABASE \"$PG_DB\""
  fi
}

psql_admin() { psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }

stop_pg() {
  if [[ -s $PGDATA/PG_VERSION ]] && pg_running; then
    log "stopping PostgreSQL (fast)"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast -w -t 60 >/dev/null
  fi
}

start_redis() {
  command -v redis-server >/dev/null || die "redis-server not installed: run scripts/setup.sh"
  mkdir -p "$REDIS_DIR"
  if redis_running; then
    log "Redis already running on port $REDIS_PORT"
    return
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT (dir: $REDIS_DIR)"
  # Persistence: RDB snapshots + AOF under var/redis, so live state survives restarts. The AOF is
  # rewritten when it has grown to 5x its last base (default 2x): each rewrite forks and writes the
  # whole dataset (the event streams keep up to --bus-retention entries), ~0.5-1 s of a core at
  # 1,000 orders/s, which showed as a spike in that second's P99 (docs/benchmarks.md); at 2x that
  # came every ~20 s. The price is a longer AOF to replay after a crash.
  # appendfsync always: a write is on disk before Redis answers it. The outbox relay deletes its
  # rows once the bus has confirmed them, so with the default (everysec) a machine crash could
  # lose up to a second of events that no longer exist anywhere else. Redis flushes once per
  # event-loop turn, not per command (~50 us here; docs/benchmarks.md, Events).
  setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" \
    --appendonly yes --appendfsync always --auto-aof-rewrite-percentage 400 --save "300 10" --protected-mode yes
  local i
  for ((i = 0; i < 100; i++)); do
    redis_running && return
    sleep 0.1
  done
  tail -n 30 "$REDIS_LOG" >&2
  die "Redis did not start"
}

stop_redis() {
  if redis_running; then
    log "stopping Redis"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 100; i++)); do
      redis_running || break
      sleep 0.1
    done
  fi
}

print_env() {
  echo "export SWIFTEATS_PG='$(pg_conninfo)'"
  echo "export SWIFTEATS_REDIS='127.0.0.1:$REDIS_PORT'"
}

case "${1:-}" in
  start)
    start_pg
    start_redis
    ;;
  stop)
    stop_redis
    stop_pg
    ;;
  stop-redis) stop_redis ;;
  stop-pg) stop_pg ;;
  status)
    rc=0
    if pg_running; then echo "postgres: running on 127.0.0.1:$PG_PORT (data $PGDATA)"; else echo "postgres: stopped"; rc=1; fi
    if redis_running; then echo "redis:    running on 127.0.0.1:$REDIS_PORT (data $REDIS_DIR)"; else echo "redis:    stopped"; rc=1; fi
    exit $rc
    ;;
  env) print_env ;;
  psql) shift; psql -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$PG_DB" "$@" ;;
  *)
    echo "usage: $0 start|stop|status|env|psql [args]" >&2
    exit 2
    ;;
esac
