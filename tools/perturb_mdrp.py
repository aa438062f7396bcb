#!/usr/bin/env python3
"""Perturbed copies of MDRP instances, for judging dispatch policy changes on more than one day.

usage: tools/perturb_mdrp.py [options] [INSTANCES_DIR] [OUT_DIR] [COPIES]
  INSTANCES_DIR  default /work/shared/mdrp/instances
  OUT_DIR        default /tmp/mdrp-perturbed
  COPIES         default 8

Every instance <name> under INSTANCES_DIR gets COPIES copies <name>_p1 .. <name>_pCOPIES in
OUT_DIR. In each copy every order's placement time moves by a seeded uniform -3..+3 minutes
(never below 0) and its ready time by the same shift plus a further -2..+2, and ready is never
before placement. Restaurants, couriers and parameters are copied unchanged. The seed of a copy
is derived from the instance name and the copy number only (random.Random with a string seed is
stable across Python versions and platforms), so the copies are reproducible.

Siblings in the benchmark's own family (grubhub/mdrplib's README: 240 instances from 10 seed
days; o100 full size, o50 half the orders and courier hours sampling orders, r50 the same
sampling restaurants and keeping all their orders; s1 historical, s2 optimised shifts; t75
travel times x 0.75; p125 preparation times x 1.25):
  --sibling LABEL  derive the family member LABEL (e.g. o50t75p125: size, travel, preparation;
                   the schedule s1/s2 cannot be derived and stays the day's) from a day whose
                   name carries its own label (e.g. 0o100t100s1p100). Size only shrinks (o100 to
                   o50 or r50: --orders or --restaurants 50 with --hours 50); travel and
                   preparation scale by the ratio of the labels. Copies are named
                   <derived name>_sib_p<k>, e.g. 0o50t75s1p125_sib_p3.
  --hours PCT      keep seeded courier shifts (a seeded order of all shifts, the prefix whose
                   hours come closest to PCT % of the day's courier hours)
  --restaurants PCT keep seeded restaurants (a seeded order, the prefix whose orders come
                   closest to PCT % of the orders) with all their orders (r50-like)

Stress members beyond the family (options; without any, the output is exactly as described
above). Note: until 2026-11-27 --couriers copies were tagged t75, which in the benchmark's labels
means faster travel, not fewer couriers; they are now tagged c75:
  --couriers PCT   keep a seeded PCT % of the courier shifts (rounded, at least 1)
  --orders PCT     keep a seeded PCT % of the orders (o50-like)
  --prep PCT       scale every order's preparation time (ready - placement, after the jitter)
                   by PCT / 100, rounded (the p125 days of the family have ~1.2-1.25 x longer
                   preparation than the p100 days; their pay parameters are the same)
  --speed PCT      scale meters_per_minute by PCT / 100, rounded (0o50t75s2p125 runs at 427
                   against 320 on the other three days; 75 makes every ride ~4/3 longer)
  --service P[,D]  set pickup and dropoff service minutes (default D = P); all four development
                   days have 4 and 4, so this is a stress test beyond the public files
With options the copies are named <name>_<tag>_p<k>, tag e.g. c75, o50, c75o50, r125, v75,
h50, n50, s6x6 (so tools/dispatch_table.sh averages each variant as its own family). The time
jitter of copy k is the same as in the plain copy <name>_p<k> (same seed, drawn before any
thinning), and
each thinning has its own seed (name, copy, option and its value): the c75 copy p3 is the plain
copy p3 without a quarter of its couriers.
"""
import argparse
import os
import random
import re
import shutil
import sys


def _read(path):
    with open(path) as fh:
        lines = fh.read().splitlines()
    return lines[0], [l for l in lines[1:] if l.strip()]


def _thin(rows, pct, seed):
    """A seeded pct % of rows, in their original order."""
    if pct >= 100:
        return rows
    keep = max(1, round(len(rows) * pct / 100.0))
    idx = sorted(random.Random(seed).sample(range(len(rows)), keep))
    return [rows[i] for i in idx]


def _prefix_closest(rows, weight, target, seed):
    """Rows of a seeded order, the prefix whose summed weight comes closest to target (at least
    one row), returned in their original order."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    total, best, best_len = 0.0, None, 1
    for n, i in enumerate(order, 1):
        total += weight(rows[i])
        if best is None or abs(total - target) < best:
            best, best_len = abs(total - target), n
        if total >= target:
            break
    return [rows[i] for i in sorted(order[:best_len])]


def perturb(src: str, dst: str, seed: str, opts=None) -> None:
    rng = random.Random(seed)
    os.makedirs(dst, exist_ok=True)
    rewritten = ("orders.txt", "couriers.txt", "instance_parameters.txt") if opts else ("orders.txt",)
    if opts and opts.restaurants < 100:
        rewritten += ("restaurants.txt",)
    for f in os.listdir(src):
        if f not in rewritten:
            shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    header, rows = _read(os.path.join(src, "orders.txt"))
    cols = header.split("\t")
    ip, ir = cols.index("placement_time"), cols.index("ready_time")
    prep = opts.prep if opts else 100
    jittered = []
    for row in rows:
        v = row.split("\t")
        placed, ready = int(v[ip]), int(v[ir])
        shift = rng.randint(-3, 3)
        extra = rng.randint(-2, 2)
        new_placed = max(0, placed + shift)
        new_ready = max(new_placed, ready + shift + extra)
        if prep != 100:
            new_ready = new_placed + int(round((new_ready - new_placed) * prep / 100.0))
        v[ip], v[ir] = str(new_placed), str(new_ready)
        jittered.append("\t".join(v))
    if opts and opts.orders < 100:
        jittered = _thin(jittered, opts.orders, f"{seed}/orders{opts.orders:g}")
    if opts and opts.restaurants < 100:
        rheader, rrows = _read(os.path.join(src, "restaurants.txt"))
        ires = cols.index("restaurant")
        count = {}
        for row in jittered:
            r = row.split("\t")[ires]
            count[r] = count.get(r, 0) + 1
        serving = [r for r in rrows if r.split("\t")[0] in count]
        kept = _prefix_closest(serving, lambda r: count[r.split("\t")[0]],
                               len(jittered) * opts.restaurants / 100.0,
                               f"{seed}/restaurants{opts.restaurants:g}")
        kept_ids = {r.split("\t")[0] for r in kept}
        jittered = [row for row in jittered if row.split("\t")[ires] in kept_ids]
        with open(os.path.join(dst, "restaurants.txt"), "w") as fh:
            fh.write("\n".join([rheader] + kept) + "\n")
    with open(os.path.join(dst, "orders.txt"), "w") as fh:
        fh.write("\n".join([header] + jittered) + "\n")
    if not opts:
        return

    cheader, crows = _read(os.path.join(src, "couriers.txt"))
    if opts.couriers < 100:
        crows = _thin(crows, opts.couriers, f"{seed}/couriers{opts.couriers:g}")
    if opts.hours < 100:
        ccols = cheader.split("\t")
        ion, ioff = ccols.index("on_time"), ccols.index("off_time")
        def minutes(row):
            v = row.split("\t")
            return float(v[ioff]) - float(v[ion])
        crows = _prefix_closest(crows, minutes, sum(map(minutes, crows)) * opts.hours / 100.0,
                                f"{seed}/hours{opts.hours:g}")
    with open(os.path.join(dst, "couriers.txt"), "w") as fh:
        fh.write("\n".join([cheader] + crows) + "\n")

    pheader, prows = _read(os.path.join(src, "instance_parameters.txt"))
    v = prows[0].split("\t")
    if opts.speed != 100:
        v[0] = str(int(round(float(v[0]) * opts.speed / 100.0 + 1e-9)))
    if opts.service:
        v[1], v[2] = str(opts.service[0]), str(opts.service[1])
    with open(os.path.join(dst, "instance_parameters.txt"), "w") as fh:
        fh.write("\n".join([pheader, "\t".join(v)] + prows[1:]) + "\n")


def _service(s: str):
    parts = [int(x) for x in s.split(",")]
    if len(parts) == 1:
        parts.append(parts[0])
    if len(parts) != 2 or min(parts) < 0:
        raise argparse.ArgumentTypeError("expected P or P,D (minutes)")
    return parts


LABEL = re.compile(r"^(\d*)([or])(\d+)t(\d+)(s\d+)p(\d+)$")


def sibling(day: str, label: str, opts) -> str:
    """Sets opts to derive the family member `label` (size, travel, preparation) from `day`,
    returns the derived day's name (without the _sib_p<k> suffix)."""
    m = LABEL.match(day)
    t = re.match(r"^([or])(\d+)t(\d+)p(\d+)$", label)
    if not m or not t:
        raise ValueError(f"cannot derive {label!r} from {day!r}: expected names like "
                         "0o100t100s1p100 and labels like o50t75p125")
    seed, kind, size, travel, sched, prep = m.groups()
    to_kind, to_size, to_travel, to_prep = t.groups()
    if (to_kind, to_size) != (kind, size):
        if (kind, size) != ("o", "100") or to_size != "50":
            raise ValueError(f"{day}: size only shrinks from o100 to o50 or r50")
        if to_kind == "o":
            opts.orders = 50
        else:
            opts.restaurants = 50
        opts.hours = 50
    # t75 = travel times x 0.75, i.e. metres per minute x 100/75
    opts.speed = 100.0 * int(travel) / int(to_travel)
    opts.prep = 100.0 * int(to_prep) / int(prep)
    return f"{seed}{to_kind}{to_size}t{to_travel}{sched}p{to_prep}"


def tag_of(opts) -> str:
    tag = ""
    if opts.couriers < 100:
        tag += f"c{opts.couriers:g}"
    if opts.orders < 100:
        tag += f"o{opts.orders:g}"
    if opts.restaurants < 100:
        tag += f"n{opts.restaurants:g}"
    if opts.hours < 100:
        tag += f"h{opts.hours:g}"
    if opts.prep != 100:
        tag += f"r{opts.prep:g}"
    if opts.speed != 100:
        tag += f"v{opts.speed:g}"
    if opts.service:
        tag += f"s{opts.service[0]}x{opts.service[1]}"
    return tag


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default="/work/shared/mdrp/instances")
    ap.add_argument("out", nargs="?", default="/tmp/mdrp-perturbed")
    ap.add_argument("copies", nargs="?", type=int, default=8)
    ap.add_argument("--couriers", type=float, default=100, metavar="PCT")
    ap.add_argument("--orders", type=float, default=100, metavar="PCT")
    ap.add_argument("--prep", type=float, default=100, metavar="PCT")
    ap.add_argument("--speed", type=float, default=100, metavar="PCT")
    ap.add_argument("--service", type=_service, default=None, metavar="P[,D]")
    ap.add_argument("--hours", type=float, default=100, metavar="PCT")
    ap.add_argument("--restaurants", type=float, default=100, metavar="PCT")
    ap.add_argument("--sibling", default=None, metavar="LABEL")
    opts = ap.parse_args()
    thinning = (opts.couriers, opts.orders, opts.hours, opts.restaurants)
    for pct in thinning + (opts.prep, opts.speed):
        if not 0 < pct <= 1000:
            ap.error("percentages must be in (0, 1000]")
    if max(thinning) > 100:
        ap.error("--couriers, --orders, --hours and --restaurants only thin (at most 100)")
    if opts.sibling and (min(thinning) < 100 or opts.prep != 100 or opts.speed != 100):
        ap.error("--sibling sets size, travel and preparation itself")
    for name in sorted(os.listdir(opts.root)):
        src = os.path.join(opts.root, name)
        if not os.path.isfile(os.path.join(src, "orders.txt")):
            continue
        if opts.sibling:
            # Each day derives its own settings.
            opts.orders = opts.restaurants = opts.hours = opts.prep = opts.speed = 100
            try:
                derived = sibling(name, opts.sibling, opts)
            except ValueError as err:
                print(f"perturb_mdrp: skipped: {err}", file=sys.stderr)
                continue
            if derived == name:
                continue  # the day itself: its plain copies are <name>_p<k>
            prefix = f"{derived}_sib"
        else:
            tag = tag_of(opts)
            prefix = f"{name}_{tag}" if tag else name
        changes = opts if opts.sibling or tag_of(opts) else None
        for k in range(1, opts.copies + 1):
            perturb(src, os.path.join(opts.out, f"{prefix}_p{k}"), f"{name}/{k}", changes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
