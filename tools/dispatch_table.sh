#!/usr/bin/env bash
# Replays every MDRP instance under a directory with both dispatch policies, checks each
# solution with dispatch-eval (which re-reads the written files), and prints one table.
#
# usage: tools/dispatch_table.sh [INSTANCES_DIR] [SWIFTEATS_BINARY]
#   INSTANCES_DIR     default /work/shared/mdrp/instances
#   SWIFTEATS_BINARY  default build/release/src/swifteats (or $SWIFTEATS)
# Solutions are written to ${OUT:-/tmp/swifteats-dispatch}/<instance>/<policy>/.
# Instances named <day>_p<N> (copies from tools/perturb_mdrp.py) are also averaged per day and
# policy after the table: delivered (summed), c2d mean, c2d p90 and cost per order (averaged).
# The last column, total payment, is to the cent (the benchmark's pay comes in quarters), so cost
# per order can be compared as payment / delivered: the cost column's three decimals can tie two
# different costs (tools/dispatch_scorecard.py compares that way).
set -euo pipefail

root="${1:-/work/shared/mdrp/instances}"
bin="${2:-${SWIFTEATS:-build/release/src/swifteats}}"
out="${OUT:-/tmp/swifteats-dispatch}"
[[ -x "$bin" ]] || { echo "swifteats binary not found: $bin" >&2; exit 2; }

field() { grep -o "$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }

printf '%-18s %-7s %5s %9s %8s %7s %7s %6s %8s %7s %7s %6s %6s %9s %6s %10s\n' \
  instance policy feas delivered c2d_mean c2d_p50 c2d_p90 c2d_max overage r2d r2p util bundle cost/ord ms payment
status=0
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
for dir in "$root"/*/; do
  [[ -f "$dir/orders.txt" ]] || continue
  name=$(basename "$dir")
  for policy in greedy slack; do
    sol="$out/$name/$policy"
    mkdir -p "$sol"
    start=$(date +%s%N)
    "$bin" dispatch-replay --instance "$dir" --out "$sol" --policy "$policy" >"$sol/replay.log" || true
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    # Score the files as written, exactly as an external checker would.
    if ! "$bin" dispatch-eval --instance "$dir" --solution "$sol" >"$sol/eval.log"; then status=1; fi
    r=$(grep '^RESULT' "$sol/eval.log" || true)
    if [[ -z "$r" ]]; then
      printf '%-18s %-7s  eval failed, see %s\n' "$name" "$policy" "$sol/eval.log"; status=1; continue
    fi
    feas=$([[ $(field feasible "$r") == 1 ]] && echo yes || echo NO)
    printf '%-18s %-7s %5s %9s %8s %7s %7s %6s %8s %7s %7s %6s %6s %9s %6s %10s\n' "$name" "$policy" "$feas" \
      "$(field delivered "$r")/$(field orders "$r")" "$(field c2d_mean "$r")" "$(field c2d_p50 "$r")" \
      "$(field c2d_p90 "$r")" "$(field c2d_max "$r")" "$(field overage_mean "$r")" "$(field r2d_mean "$r")" \
      "$(field r2p_mean "$r")" "$(field util_mean "$r")" "$(field bundle_mean "$r")" \
      "$(field cost_per_order "$r")" "$ms" "$(field payment "$r")"
    echo "$name $policy $(field delivered "$r") $(field orders "$r") $(field c2d_mean "$r") $(field c2d_p90 "$r") $(field cost_per_order "$r") $feas" >>"$rows"
  done
done
if grep -q '_p[0-9][0-9]* ' "$rows"; then
  echo
  printf '%-22s %-7s %6s %11s %8s %7s %9s\n' family policy copies delivered c2d_mean c2d_p90 cost/ord
  awk '$1 ~ /_p[0-9]+$/ {
         fam = $1; sub(/_p[0-9]+$/, "", fam); k = fam " " $2
         if (!(k in n)) order[++keys] = k
         n[k]++; d[k] += $3; o[k] += $4; m[k] += $5; p[k] += $6; c[k] += $7; if ($8 != "yes") bad[k] = 1
       }
       END {
         for (i = 1; i <= keys; i++) {
           k = order[i]; split(k, f, " ")
           printf "%-22s %-7s %6d %11s %8.2f %7.2f %9.3f%s\n", f[1] " x" n[k], f[2], n[k], d[k] "/" o[k],
                  m[k] / n[k], p[k] / n[k], c[k] / n[k], (k in bad) ? "  INFEASIBLE" : ""
         }
       }' "$rows"
fi
exit $status
