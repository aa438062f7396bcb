#!/usr/bin/env bash
# bench/menu: GET /restaurants/{id}/menu under load, beside nginx serving a same-size static file.
#
#   bench/menu/run.sh            # everything: build, private PG+Redis, seed, serve, measure, clean up
#
# Measures, in one run and with one load generator (build/.../bench/menu/menu_loadgen):
#   (a) swifteats at a fixed 5,000 requests/s, open loop, latency from the intended send time;
#   (b) swifteats at maximum throughput (closed loop, C keep-alive connections);
#   (c) nginx serving one saved menu response as a static file, same max-throughput run;
#   (d) nginx at the same fixed 5,000 requests/s (the client+kernel latency floor).
# Goals (foundation issue): P99 < 5 ms at 5,000 rps; swifteats max rps >= 40% of nginx's.
# Benchmarks are not part of the test suite. Exit status: 0 when both goals pass, 1 otherwise,
# 2 on a setup error.
#
# Environment (defaults in brackets):
#   MENU_BENCH_BUILD_DIR   build tree to use [build/release, built with the release preset]
#   MENU_BENCH_THREADS     swifteats --threads and nginx worker_processes [2]
#   MENU_BENCH_RESTAURANTS restaurants to seed [2000]      MENU_BENCH_URLS   ids to spread over [500]
#   MENU_BENCH_RATE        fixed rate [5000]               MENU_BENCH_CONNS  connections, fixed rate [64]
#   MENU_BENCH_MAX_CONNS   connections, max throughput [64]
#   MENU_BENCH_FIXED_S     fixed-rate seconds [20]         MENU_BENCH_MAX_S  max-throughput seconds [15]
#   MENU_BENCH_WARMUP_S    warm-up seconds before each measurement [3]
#   MENU_BENCH_CLIENT_THREADS  load generator threads [1]
#   MENU_BENCH_NICE=N      give the server, nginx, PostgreSQL, Redis and the client scheduling priority N
#                          (e.g. -10) over other jobs on a shared box [0 = none]. With autogroup scheduling
#                          (kernel.sched_autogroup_enabled=1) CPU is shared per session first, so this sets
#                          each one's autogroup nice (/proc/PID/autogroup) as well as its nice value.
#   MENU_BENCH_PERF=1      perf-record swifteats (cpu-clock, DWARF stacks) during the max run; print top symbols
#   MENU_BENCH_KEEP=1      keep the temp dir (logs, URL list, nginx conf) after the run
#   MENU_BENCH_JSON=FILE   append the loadgen JSON lines to FILE
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${MENU_BENCH_BUILD_DIR:-$ROOT/build/release}
THREADS=${MENU_BENCH_THREADS:-2}
RESTAURANTS=${MENU_BENCH_RESTAURANTS:-2000}
NURLS=${MENU_BENCH_URLS:-500}
RATE=${MENU_BENCH_RATE:-5000}
CONNS=${MENU_BENCH_CONNS:-64}
MAX_CONNS=${MENU_BENCH_MAX_CONNS:-64}
FIXED_S=${MENU_BENCH_FIXED_S:-20}
MAX_S=${MENU_BENCH_MAX_S:-15}
WARMUP_S=${MENU_BENCH_WARMUP_S:-3}
CLIENT_THREADS=${MENU_BENCH_CLIENT_THREADS:-1}
NICE=${MENU_BENCH_NICE:-0}
P99_LIMIT_MS=5
RATIO_LIMIT=0.40

source "$ROOT/bench/lib.sh"
BENCH_NAME=menu
# Every server runs in its own session, hence its own scheduler autogroup: nginx daemonises into
# one, PostgreSQL and Redis are started with setsid, and swifteats is started with setsid here, so
# none of them shares a CPU share with the client (which stays in this script's session).
prio_pids() {  # apply MENU_BENCH_NICE to running processes (their autogroups too)
  [[ $NICE == 0 ]] && return 0
  local p
  for p in "$@"; do
    echo "$NICE" >"/proc/$p/autogroup" 2>/dev/null || true
    renice -n "$NICE" -p "$p" >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------- build
SE=$BUILD/src/swifteats
LG=$BUILD/bench/menu/menu_loadgen
build() {
  if [[ -z ${MENU_BENCH_BUILD_DIR:-} ]]; then
    bench_build_release swifteats menu_loadgen
  else
    [[ -f $BUILD/build.ninja ]] || cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$BUILD" -j2 --target swifteats menu_loadgen >&2
  fi
}
log "building Release (swifteats, menu_loadgen) in $BUILD"
if ! build; then
  # Someone's in-progress file may break the tree for a while: use existing binaries if any.
  [[ -x $SE && -x $LG ]] || die "build failed and no previous binaries in $BUILD"
  log "WARNING: build failed; using the existing binaries in $BUILD"
fi
grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$BUILD/CMakeCache.txt" || die "$BUILD is not a Release build"

# ---------------------------------------------------------------- temp dir, ports, cleanup
bench_begin menu
BENCH_KEEP=${MENU_BENCH_KEEP:-0}
SE_PORT=$(free_port); NGINX_PORT=$(free_port)
NGINX_STARTED=
bench_on_exit() {
  if [[ -n $NGINX_STARTED && -s $TMP/nginx/nginx.pid ]]; then
    nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -s stop 2>/dev/null
  fi
}

# ---------------------------------------------------------------- PostgreSQL + Redis, schema, seed
bench_services menubench "$SE"
pg_pids() { local m; m=$(head -1 "$TMP/var/pg/data/postmaster.pid"); echo "$m" $(pgrep -P "$m"); }
redis_pid() { cat "$TMP/var/redis/redis.pid"; }
if "$SE" --help 2>/dev/null | grep -qE '^ +seed( |$)'; then
  log "seeding $RESTAURANTS restaurants with 'swifteats seed'"
  "$SE" seed --pg "$PG" --restaurants "$RESTAURANTS" >"$TMP/seed.log" 2>&1 || { tail -20 "$TMP/seed.log" >&2; die "seed failed"; }
  SEEDER="swifteats seed"
else
  log "seeding $RESTAURANTS restaurants x 25 items with bench/menu/fallback_seed.sql ('swifteats seed' not in this build)"
  psql_q -v restaurants="$RESTAURANTS" -v categories=5 -v items_per_category=5 \
    -f "$ROOT/bench/menu/fallback_seed.sql" >"$TMP/seed.log" 2>&1 || { cat "$TMP/seed.log" >&2; die "seed failed"; }
  SEEDER="bench/menu/fallback_seed.sql"
fi
prio_pids $(pg_pids) "$(redis_pid)"
read -r N_REST N_ITEMS < <(psql_q -tA -F ' ' -c "SELECT (SELECT count(*) FROM restaurants WHERE is_active), (SELECT count(*) FROM food_items)")
log "database: $N_REST restaurants, $N_ITEMS items"

# ---------------------------------------------------------------- swifteats
log "starting swifteats serve :$SE_PORT --threads $THREADS"
setsid "$SE" serve --host 127.0.0.1 --port "$SE_PORT" --threads "$THREADS" --pg "$PG" --redis "127.0.0.1:$REDIS_PORT" \
  --log-level warn --rate-limits off >"$TMP/serve.log" 2>&1 &
SE_PID=$!
prio_pids "$SE_PID"
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$SE_PORT/ready" >/dev/null 2>&1 && break
  kill -0 "$SE_PID" 2>/dev/null || { cat "$TMP/serve.log" >&2; die "swifteats exited"; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$SE_PORT/ready" >/dev/null || { cat "$TMP/serve.log" >&2; die "swifteats not ready"; }

# ---------------------------------------------------------------- URL list through the list API
# A grid of city points over the seeded area, nearest restaurants around each.
read -r LAT0 LAT1 LNG0 LNG1 < <(psql_q -tA -F ' ' -c \
  "SELECT min(ST_Y(location::geometry)), max(ST_Y(location::geometry)), min(ST_X(location::geometry)), max(ST_X(location::geometry)) FROM restaurants WHERE is_active")
: >"$TMP/ids"
LIST_API_BROKEN=
for i in 0 1 2 3 4 5; do
  for j in 0 1 2 3 4 5; do
    lat=$(awk -v a="$LAT0" -v b="$LAT1" -v k="$i" 'BEGIN{printf "%.5f", a + (b - a) * (k + 0.5) / 6}')
    lng=$(awk -v a="$LNG0" -v b="$LNG1" -v k="$j" 'BEGIN{printf "%.5f", a + (b - a) * (k + 0.5) / 6}')
    if body=$(curl -sf "http://127.0.0.1:$SE_PORT/restaurants?lat=$lat&lng=$lng&radius_m=4000&limit=40"); then
      jq -r '.items[].id' <<<"$body" >>"$TMP/ids"
    else
      # Same question asked of the database, so a broken list endpoint does not stop the menu
      # benchmark; reported loudly below and in the summary.
      LIST_API_BROKEN=1
      psql_q -tA -c "SELECT id FROM restaurants r WHERE r.is_active AND ST_DWithin(r.location,
        ST_SetSRID(ST_MakePoint($lng, $lat), 4326)::geography, 4000, false)
        ORDER BY ST_Distance(r.location, ST_SetSRID(ST_MakePoint($lng, $lat), 4326)::geography, false), id
        LIMIT 40" >>"$TMP/ids"
    fi
  done
done
if [[ -n ${LIST_API_BROKEN:-} ]]; then
  log "WARNING: GET /restaurants failed ($(grep -m1 -o '"error":"[^"]*"' "$TMP/serve.log" || echo 'see serve.log'));"
  log "         took the same nearest-40-within-4km ids per grid point from SQL instead"
  ID_SOURCE="SQL (list API failing)"
else
  ID_SOURCE="list API"
fi
awk -v n="$NURLS" '!seen[$0]++ && c++ < n {print "/restaurants/" $0 "/menu"}' "$TMP/ids" >"$TMP/urls"
NU=$(wc -l <"$TMP/urls")
((NU > 0)) || die "the list API returned no restaurants"
log "URL list: $NU menus ($TMP/urls)"

# ---------------------------------------------------------------- the static twin of a menu
# Sizes of every menu in the list; nginx serves the one of median size.
while read -r u; do
  printf '%s %s\n' "$(curl -sf -o /dev/null -w '%{size_download}' "http://127.0.0.1:$SE_PORT$u")" "$u"
done <"$TMP/urls" | sort -n >"$TMP/sizes"
server_alive() {
  kill -0 "$SE_PID" 2>/dev/null && return 0
  log "swifteats died; the end of its log:"
  tail -n 5 "$TMP/serve.log" >&2
  die "swifteats crashed while serving menus"
}
server_alive
awk '$1 == 0 {bad++} END {exit bad > 0}' "$TMP/sizes" || die "some menus could not be fetched ($(awk '$1 == 0' "$TMP/sizes" | wc -l) of $NU)"
MEDIAN_URL=$(awk -v n="$NU" 'NR == int((n + 1) / 2) {print $2}' "$TMP/sizes")
mkdir -p "$TMP/nginx/www" "$TMP/nginx/logs"
curl -sf "http://127.0.0.1:$SE_PORT$MEDIAN_URL" -o "$TMP/nginx/www/menu.json"
MENU_BYTES=$(stat -c %s "$TMP/nginx/www/menu.json")
read -r MIN_B MAX_B < <(awk 'NR==1{a=$1} {b=$1} END{print a, b}' "$TMP/sizes")
log "menu bodies: $MIN_B..$MAX_B bytes, median $MENU_BYTES (served by nginx as a static file)"
# All menus are now in the Redis cache (2-minute TTL): the runs below measure the cache-hit path,
# plus whatever entries expire and are rebuilt while they run.

# ---------------------------------------------------------------- load
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
JSONL=$TMP/results.jsonl
: >"$JSONL"
# CPU accounting from /proc: jiffies (utime+stime) of processes, and of the whole machine.
CLK_TCK=$(getconf CLK_TCK)
ticks() {
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && t=$((t + v))
  done
  echo "$t"
}
machine_busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# run_lg label port rate conns seconds server-pids...: one measurement, plus CPU per request of
# the server, Redis, PostgreSQL, the client, and everything else on the machine.
run_lg() {
  local label=$1 port=$2 rate=$3 conns=$4 secs=$5; shift 5
  local server_pids=("$@") t0s t0r t0p t0m t1s t1r t1p t1m perf_pid=
  log "run: $label (rate=${rate/#0/max}, connections=$conns, ${secs}s + ${WARMUP_S}s warm-up)"
  t0s=$(ticks "${server_pids[@]}"); t0r=$(ticks "$(redis_pid)"); t0p=$(ticks $(pg_pids)); t0m=$(machine_busy)
  if [[ ${MENU_BENCH_PERF:-0} == 1 && $label == swifteats-max ]]; then
    # No frame pointers in the Release build: DWARF unwinding, at a modest rate to keep it light.
    perf record -q -e cpu-clock -F 299 --call-graph dwarf,16384 -o "$TMP/perf.data" -p "${server_pids[0]}" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  setsid -w bash -c '[[ $0 == 0 ]] || { echo "$0" >/proc/self/autogroup; renice -n "$0" -p $$ >/dev/null; }; exec "$@"' \
    "$NICE" "$LG" --host 127.0.0.1 --port "$port" --urls "$TMP/urls" --order random --seed 42 --rate "$rate" \
    --connections "$conns" --threads "$CLIENT_THREADS" --duration "$secs" --warmup "$WARMUP_S" --label "$label" \
    --json $([[ $rate != 0 ]] && echo --timeline) | tee "$TMP/$label.txt" >&2
  t1s=$(ticks "${server_pids[@]}"); t1r=$(ticks "$(redis_pid)"); t1p=$(ticks $(pg_pids)); t1m=$(machine_busy)
  if [[ -n $perf_pid ]]; then
    kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
    perf report -i "$TMP/perf.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.7 \
      2>/dev/null | grep -v '^#' | grep -v '^$' | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' |
      cut -c1-150 | awk 'NR <= 45' >"$TMP/perf.txt" || true
    log "perf data: $TMP/perf.data (MENU_BENCH_KEEP=1 keeps it; perf report -i ... --children for call chains)"
    log "perf profile of swifteats during $label (top symbols, self time):"
    cat "$TMP/perf.txt" >&2
  fi
  grep '^JSON ' "$TMP/$label.txt" | sed 's/^JSON //' |
    jq -c --argjson s $((t1s - t0s)) --argjson r $((t1r - t0r)) --argjson p $((t1p - t0p)) \
      --argjson m $((t1m - t0m)) --argjson hz "$CLK_TCK" '
      (1e6 / $hz / (if .responses_total > 0 then .responses_total else 1 end)) as $k |
      . + {cpu_us_per_req: {server: ($s * $k), redis: ($r * $k), postgres: ($p * $k),
                            client: (.client_cpu_s * 1e6 / (if .responses_total > 0 then .responses_total else 1 end)),
                            machine: ($m * $k)}}' >>"$JSONL"
}
run_lg swifteats-fixed "$SE_PORT" "$RATE" "$CONNS" "$FIXED_S" "$SE_PID"
server_alive
run_lg swifteats-max "$SE_PORT" 0 "$MAX_CONNS" "$MAX_S" "$SE_PID"
server_alive
grep -q . "$TMP/serve.log" && { log "server warnings:"; tail -5 "$TMP/serve.log" >&2; }

kill -TERM "$SE_PID"; wait "$SE_PID" 2>/dev/null || true; SE_PID=

# nginx: same worker count as swifteats threads; headers like the API's (ETag, Cache-Control,
# application/json); keep-alive without a request cap, as swifteats has none.
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $THREADS;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
daemon on;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 60s;
  keepalive_requests 100000000;
  client_body_temp_path $TMP/nginx/tmp;
  proxy_temp_path $TMP/nginx/tmp;
  fastcgi_temp_path $TMP/nginx/tmp;
  uwsgi_temp_path $TMP/nginx/tmp;
  scgi_temp_path $TMP/nginx/tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    root $TMP/nginx/www;
    location / {
      default_type application/json;
      add_header Cache-Control "public, max-age=15";
      rewrite ^ /menu.json break;
    }
  }
}
CONF
mkdir -p "$TMP/nginx/tmp"
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx/logs/start.log" || { cat "$TMP/nginx/logs/start.log" >&2; die "nginx did not start"; }
NGINX_STARTED=1
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT$MEDIAN_URL" -o /dev/null && break; sleep 0.1; done
NB=$(curl -sf "http://127.0.0.1:$NGINX_PORT$MEDIAN_URL" -w '%{size_download}' -o /dev/null) || die "nginx does not answer"
[[ $NB == "$MENU_BYTES" ]] || die "nginx serves $NB bytes, expected $MENU_BYTES"
NGINX_PIDS=($(cat "$TMP/nginx/nginx.pid") $(pgrep -P "$(cat "$TMP/nginx/nginx.pid")"))
prio_pids "${NGINX_PIDS[@]}"
run_lg nginx-max "$NGINX_PORT" 0 "$MAX_CONNS" "$MAX_S" "${NGINX_PIDS[@]}"
run_lg nginx-fixed "$NGINX_PORT" "$RATE" "$CONNS" "$FIXED_S" "${NGINX_PIDS[@]}"

[[ -n ${MENU_BENCH_JSON:-} ]] && cat "$JSONL" >>"$MENU_BENCH_JSON"

# ---------------------------------------------------------------- report
field() { jq -r --arg l "$1" "select(.label == \$l) | .$2" "$JSONL"; }
echo
echo "bench/menu  $(date -u +%FT%TZ)  repo commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); binaries from $BUILD"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), client, server, PostgreSQL and Redis share them"
echo "data: $N_REST restaurants / $N_ITEMS items ($SEEDER); $NU menus (ids from $ID_SOURCE), random order; body $MIN_B..$MAX_B B, nginx file $MENU_BYTES B"
echo "swifteats --threads $THREADS; nginx worker_processes $THREADS; loadgen 1 process, $CLIENT_THREADS thread(s); nice $NICE"
echo
printf '%-16s %-11s %6s %10s %9s %9s %9s %9s %7s\n' target mode conns rps p50_ms p99_ms p99.9_ms max_ms errors
for l in swifteats-fixed swifteats-max nginx-max nginx-fixed; do
  jq -r --arg l "$l" 'select(.label == $l) |
    [.label, (if .mode == "fixed" then "fixed \(.target_rps)" else "max" end), .connections, .rps, .p50_ms, .p99_ms, .p999_ms, .max_ms, .errors] | @tsv' "$JSONL" |
    awk -F'\t' '{printf "%-16s %-11s %6s %10.0f %9.3f %9.3f %9.3f %9.3f %7s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}'
done
echo
echo "CPU per request, microseconds (whole run incl. warm-up; 'machine' = all CPU busy on the box / requests, so"
echo "machine minus the rest is other tenants' load):"
printf '%-16s %8s %8s %8s %8s %8s\n' target server redis postgres client machine
for l in swifteats-fixed swifteats-max nginx-max nginx-fixed; do
  jq -r --arg l "$l" 'select(.label == $l) | [.label, .cpu_us_per_req.server, .cpu_us_per_req.redis,
    .cpu_us_per_req.postgres, .cpu_us_per_req.client, .cpu_us_per_req.machine] | @tsv' "$JSONL" |
    awk -F'\t' '{printf "%-16s %8.1f %8.1f %8.1f %8.1f %8.1f\n", $1, $2, $3, $4, $5, $6}'
done
echo "load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
echo
SE_P99=$(field swifteats-fixed p99_ms); SE_RPS=$(field swifteats-fixed rps); SE_ERR=$(field swifteats-fixed errors)
SE_MAX=$(field swifteats-max rps); NG_MAX=$(field nginx-max rps)
RATIO=$(awk -v a="$SE_MAX" -v b="$NG_MAX" 'BEGIN{printf "%.3f", (b > 0 ? a / b : 0)}')
rc=0
# The fixed-rate goal also needs the rate actually held (within 1%) and no errors.
if awk -v p="$SE_P99" -v r="$SE_RPS" -v t="$RATE" -v e="$SE_ERR" -v lim="$P99_LIMIT_MS" \
     'BEGIN{exit !(p < lim && r >= 0.99 * t && e == 0)}'; then g1=PASS; else g1=FAIL; rc=1; fi
if awk -v x="$RATIO" -v lim="$RATIO_LIMIT" 'BEGIN{exit !(x >= lim)}'; then g2=PASS; else g2=FAIL; rc=1; fi
printf 'goal 1: P99 at %s rps = %.3f ms   (limit < %s ms; achieved %.0f rps, %s errors)   %s\n' \
  "$RATE" "$SE_P99" "$P99_LIMIT_MS" "$SE_RPS" "$SE_ERR" "$g1"
printf 'goal 2: max rps swifteats/nginx = %.0f / %.0f = %.1f%%   (limit >= %.0f%%)   %s\n' \
  "$SE_MAX" "$NG_MAX" "$(awk -v x="$RATIO" 'BEGIN{print x * 100}')" "$(awk -v x="$RATIO_LIMIT" 'BEGIN{print x * 100}')" "$g2"
exit $rc
