#!/usr/bin/env bash
# bench/auth: what authentication and rate limiting cost on the hot read path.
#
#   bench/auth/run.sh
#
# The menu benchmark (GET /restaurants/{id}/menu over seeded restaurants, keep-alive, closed
# loop at maximum throughput) against ONE swifteats process, three ways in the same run,
# interleaved round after round so machine noise hits all of them alike:
#   plain   no token, rate limiting off                          (the unauthenticated figure)
#   rl      no token, rate limiting on (per-IP browse counter in Redis)
#   auth    a valid bearer token on every request + rate limiting on (JWT verify + per-principal
#           Redis counter) - the issue's "valid token on every request and rate limiting on"
# Rate limiting is "on" with a browse limit too high to trigger (1e9/min): the cost measured is
# the check (one Redis EVAL round trip per request), not 429s. Load generator: wrk (Debian), the
# same for every variant. The server is restarted per variant (flags differ) on the same data.
#
# Environment (defaults in brackets):
#   AUTH_BENCH_BUILD_DIR  build tree with swifteats [build/release, built with the release preset
#                         when unset]; must contain this issue's flags
#   AUTH_BENCH_THREADS [2]  AUTH_BENCH_CONNS [64]  AUTH_BENCH_SECONDS [10]  AUTH_BENCH_ROUNDS [3]
#   AUTH_BENCH_RESTAURANTS [500]
# Prints a table (median of the rounds) and one JSON line per measurement.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${AUTH_BENCH_BUILD_DIR:-$ROOT/build/release}
SE=$BUILD/src/swifteats
THREADS=${AUTH_BENCH_THREADS:-2}
CONNS=${AUTH_BENCH_CONNS:-64}
SECONDS_PER=${AUTH_BENCH_SECONDS:-10}
ROUNDS=${AUTH_BENCH_ROUNDS:-3}
RESTAURANTS=${AUTH_BENCH_RESTAURANTS:-500}

source "$ROOT/bench/lib.sh"
BENCH_NAME=auth
if [[ -z ${AUTH_BENCH_BUILD_DIR:-} ]]; then
  bench_build_release swifteats || die "build failed"
fi
[[ -x $SE ]] || die "no $SE (cmake --preset release && cmake --build --preset release --target swifteats)"
[[ $("$SE" serve --help 2>&1) == *--jwt-keys* ]] || die "$SE predates the auth flags; rebuild it"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"

bench_begin auth
SE_PORT=$(free_port)
bench_services authbench "$SE"
log "seeding $RESTAURANTS restaurants"
"$SE" seed --pg "$PG" --restaurants "$RESTAURANTS" >"$TMP/seed.log" 2>&1 || { tail -20 "$TMP/seed.log" >&2; die "seed failed"; }
psql -X -qtA -h 127.0.0.1 -p "$PG_PORT" -U postgres -d authbench \
  -c "SELECT id FROM restaurants WHERE is_active ORDER BY id LIMIT 500" >"$TMP/ids"
export AUTH_BENCH_IDS=$TMP/ids

export SWIFTEATS_JWT_KEYS="bench:$(head -c 32 /dev/urandom | base64)"
ADMIN_EMAIL=bench@swifteats.test ADMIN_PASSWORD=bench-password-123
start_server() {  # $1 = --rate-limits value
  setsid "$SE" serve --host 127.0.0.1 --port "$SE_PORT" --threads "$THREADS" --pg "$PG" \
    --redis "127.0.0.1:$REDIS_PORT" --log-level warn --rate-limits "$1" \
    --bootstrap-admin-email "$ADMIN_EMAIL" --bootstrap-admin-password "$ADMIN_PASSWORD" \
    >>"$TMP/serve.log" 2>&1 &
  SE_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$SE_PORT/ready" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$TMP/serve.log" >&2; die "swifteats not ready"
}

declare -A RPS P50 P99
run_variant() {  # $1 = name, $2 = rate limits, $3 = 1 to send a token
  start_server "$2"
  local token=""
  if [[ $3 == 1 ]]; then
    token=$(curl -sf -X POST "http://127.0.0.1:$SE_PORT/auth/login" -H 'Content-Type: application/json' \
      -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | jq -r .access_token)
    [[ -n $token && $token != null ]] || die "login failed"
  fi
  AUTH_BENCH_TOKEN=$token wrk -t1 -c"$CONNS" -d2s -s "$ROOT/bench/auth/menu.lua" "http://127.0.0.1:$SE_PORT" >/dev/null  # warm-up
  local out
  out=$(AUTH_BENCH_TOKEN=$token wrk -t1 -c"$CONNS" -d"${SECONDS_PER}s" --latency -s "$ROOT/bench/auth/menu.lua" \
        "http://127.0.0.1:$SE_PORT")
  stop_server
  grep -q "Non-2xx" <<<"$out" && { echo "$out" >&2; die "$1: non-2xx responses"; }
  local rps p50 p99
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  echo "JSON {\"variant\":\"$1\",\"rps\":$rps,\"p50\":\"$p50\",\"p99\":\"$p99\",\"conns\":$CONNS,\"threads\":$THREADS}"
  RPS[$1]+="$rps "; P50[$1]+="$p50 "; P99[$1]+="$p99 "
}

for r in $(seq "$ROUNDS"); do
  log "round $r/$ROUNDS"
  run_variant plain off 0
  run_variant rl "browse=1000000000,login=1000" 0
  run_variant auth "browse=1000000000,login=1000" 1
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' | awk '{printf "%.3f ", $1*$2}'; }
base=$(echo "${RPS[plain]}" | median)
printf '\n%-6s %12s %10s %10s %10s\n' variant "req/s(med)" "vs plain" "p50 ms" "p99 ms"
for v in plain rl auth; do
  rps=$(echo "${RPS[$v]}" | median)
  p50=$(echo "${P50[$v]}" | tr ' ' '\n' | grep . | to_ms | median)
  p99=$(echo "${P99[$v]}" | tr ' ' '\n' | grep . | to_ms | median)
  printf '%-6s %12.0f %9.1f%% %10s %10s\n' "$v" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN{print (a/b-1)*100}')" "$p50" "$p99"
done
echo "(rounds: $ROUNDS x ${SECONDS_PER}s per variant, $CONNS connections, server --threads $THREADS, wrk -t1)"
