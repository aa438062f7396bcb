#!/usr/bin/env bash
# The per-instance scorecards of docs/dispatch.md in one command: builds the perturbed sets,
# replays each with both policies (tools/dispatch_table.sh, two sets at a time), and prints
# tools/dispatch_scorecard.py's per-family table. 1-5 minutes on two cores (COPIES=32: 2-25).
#
# Two scorecards (260 instances each):
#   family (default)  the benchmark's own family: the four development days, copies p1..p8 of
#                     each, and copies p1..p8 of every sibling each day has in the family
#                     (tools/perturb_mdrp.py --sibling: o50 / r50 from the o100 days, t75 / t100,
#                     p125 / p100; 28 siblings)
#   --stress          the development days and copies p1..p8 of each, plain and in seven harder
#                     or lighter variants beyond the family (fewer couriers, slower rides, shorter
#                     or longer preparation, half the orders with every courier)
#
# usage: tools/dispatch_scorecard.sh [--stress] [WORK_DIR] [SWIFTEATS_BINARY]
#   WORK_DIR          default /tmp/swifteats-scorecard[-stress] (sets are built once and reused)
#   SWIFTEATS_BINARY  default build/release/src/swifteats; any executable taking the same
#                     arguments works (e.g. a wrapper adding --param flags to slack replays)
#   COPIES            environment, default 8: copies p1..pCOPIES of each day and sibling (a larger
#                     set to tell a policy change from the noise of one chaotic day)
# Solutions go to WORK_DIR/sol/<set>/<instance>/<policy>/, tables to WORK_DIR/<set>.tab.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=family
if [[ ${1:-} == --stress ]]; then mode=stress; shift; fi
suffix=""
if [[ $mode == stress ]]; then suffix=-stress; fi
work=${1:-/tmp/swifteats-scorecard$suffix}
bin=${2:-$ROOT/build/release/src/swifteats}
instances=${MDRP_INSTANCES:-$ROOT/../shared/mdrp/instances}
[[ -x $bin ]] || { echo "dispatch_scorecard: no executable $bin" >&2; exit 2; }
[[ -d $instances ]] || { echo "dispatch_scorecard: no instances at $instances (set MDRP_INSTANCES)" >&2; exit 2; }

# set name -> tools/perturb_mdrp.py options ("plain" also holds the development days themselves)
declare -A families
if [[ $mode == stress ]]; then
  families=(
    [plain]="" [c75]="--couriers 75" [r125]="--prep 125" [c75r125]="--couriers 75 --prep 125"
    [v75]="--speed 75" [r75]="--prep 75" [c75r75]="--couriers 75 --prep 75" [o50]="--orders 50")
  sets=(plain c75 r125 c75r125 v75 r75 c75r75 o50)
else
  families=([plain]="")
  sets=(plain)
  for size in o100 o50 r50; do
    for travel in t100 t75; do
      for prep in p100 p125; do
        [[ $size$travel$prep == o100t100p100 ]] && continue # no day has a sibling there beyond itself
        families[$size$travel$prep]="--sibling $size$travel$prep"
        sets+=("$size$travel$prep")
      done
    done
  done
fi
mkdir -p "$work/sets"
copies=${COPIES:-8}
for s in "${sets[@]}"; do
  # A set is reused only if it was built with the same number of copies.
  [[ -f $work/sets/$s/.complete && $(cat "$work/sets/$s/.complete") == "$copies" ]] && continue
  rm -rf "$work/sets/$s"
  # shellcheck disable=SC2086  # the options are words
  python3 "$ROOT/tools/perturb_mdrp.py" ${families[$s]} "$instances" "$work/sets/$s" "$copies" >/dev/null 2>"$work/sets/$s.log" ||
    { echo "dispatch_scorecard: perturb_mdrp.py failed for $s; see $work/sets/$s.log" >&2; exit 1; }
  if [[ $s == plain ]]; then cp -r "$instances"/* "$work/sets/$s/"; fi
  echo "$copies" >"$work/sets/$s/.complete"
done
printf '%s\n' "${sets[@]}" | xargs -P2 -I{} sh -c \
  "OUT='$work/sol/{}' '$ROOT/tools/dispatch_table.sh' '$work/sets/{}' '$bin' > '$work/{}.tab' 2>&1" ||
  { echo "dispatch_scorecard: a replay or check failed; see $work/*.tab" >&2; exit 1; }
args=()
for s in "${sets[@]}"; do args+=("$work/sets/$s:$work/$s.tab"); done
python3 "$ROOT/tools/dispatch_scorecard.py" "${args[@]}"
