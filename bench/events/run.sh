#!/usr/bin/env bash
# bench/events: end-to-end events/s and P99 latency from commit to consumer through the outbox,
# the relay and the bus, beside redis-benchmark XADD on the same Redis, in one run.
#
#   bench/events/run.sh        # private PG+Redis, migrate, measure, clean up
#
# Runs (a) full speed, (b) the seed's 2,000 events/s (open loop), (c) redis-benchmark XADD.
# Goals (issue 4): >= 10,000 events/s end to end at full speed; P99 < 50 ms at 2,000 events/s.
# Exit status: 0 when both goals pass, 1 otherwise, 2 on a setup error.
#
# Environment: EVENTS_BENCH_BUILD_DIR [build/release, built with the release preset when unset]
#   EVENTS_BENCH_SECONDS [10]
#   EVENTS_BENCH_PRODUCERS [8]  EVENTS_BENCH_PER_TX [10]  EVENTS_BENCH_RATE [2000]
#   EVENTS_BENCH_BUS [redis]  EVENTS_BENCH_SWIFTEATS [$BUILD/swifteats, for migrate]
#   EVENTS_BENCH_KEEP=1 keeps the temp dir
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${EVENTS_BENCH_BUILD_DIR:-$ROOT/build/release}
SECONDS_=${EVENTS_BENCH_SECONDS:-10}
PRODUCERS=${EVENTS_BENCH_PRODUCERS:-8}
PER_TX=${EVENTS_BENCH_PER_TX:-10}
RATE=${EVENTS_BENCH_RATE:-2000}
BUS=${EVENTS_BENCH_BUS:-redis}

source "$ROOT/bench/lib.sh"
BENCH_NAME=events
bench_begin events
BENCH_KEEP=${EVENTS_BENCH_KEEP:-0}

BENCH=$BUILD/bench/events/events_bench
SE=${EVENTS_BENCH_SWIFTEATS:-$BUILD/src/swifteats}  # only runs the migrations
if [[ -z ${EVENTS_BENCH_BUILD_DIR:-} ]]; then
  bench_build_release swifteats events_bench || die "build failed"
fi
[[ -x $BENCH && -x $SE ]] ||
  die "build first: cmake --preset release && cmake --build --preset release --target swifteats events_bench"

bench_services eventsbench "$SE"

common=(--pg "$PG" --redis "127.0.0.1:$REDIS_PORT" --bus "$BUS" --seconds "$SECONDS_")
log "full speed, $PRODUCERS producers x $PER_TX events per transaction"
FULL=$("$BENCH" "${common[@]}" --producers "$PRODUCERS" --per-tx "$PER_TX" --rate 0) || log "full-speed run reported unconsumed events"
echo "$FULL"
log "fixed $RATE events/s (open loop)"
FIXED=$("$BENCH" "${common[@]}" --rate "$RATE" --per-tx 1 --producers 16) || log "fixed-rate run reported unconsumed events"
echo "$FIXED"
log "redis-benchmark XADD (same Redis, 50 clients, no pipelining)"
XADD=$(redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -c 50 -n 200000 -q XADD bench:xadd MAXLEN '~' 1000000 '*' k v 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | tail -1)
echo "redis-benchmark: $XADD"

full_rate=$(sed -E 's/.*"end_to_end_per_s":([0-9.]+).*/\1/' <<<"$FULL")
fixed_p99=$(sed -E 's/.*"p99_ms":([0-9.]+).*/\1/' <<<"$FIXED")
ok=0
awk -v r="$full_rate" 'BEGIN{exit !(r != "" && r >= 10000)}' && log "PASS end to end $full_rate events/s (goal >= 10000)" ||
  { log "FAIL end to end $full_rate events/s (goal >= 10000)"; ok=1; }
awk -v p="$fixed_p99" 'BEGIN{exit !(p != "" && p < 50)}' && log "PASS P99 $fixed_p99 ms at $RATE events/s (goal < 50)" ||
  { log "FAIL P99 $fixed_p99 ms at $RATE events/s (goal < 50)"; ok=1; }
exit $ok
