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

Harder members of the family (options; without any, the output is exactly as described above):
  --couriers PCT   keep a seeded PCT % of the courier shifts (rounded, at least 1), like the
                   family's t75 instances (75 % of the shifts of the t100 day)
  --orders PCT     keep a seeded PCT % of the orders (o50-like)
  --prep PCT       scale every order's preparation time (ready - placement, after the jitter)
                   by PCT / 100, rounded (the p125 days of the family have ~1.2-1.25 x longer
                   preparation than the p100 days; their pay parameters are the same)
  --speed PCT      scale meters_per_minute by PCT / 100, rounded (0o50t75s2p125 runs at 427
                   against 320 on the other three days; 75 makes every ride ~4/3 longer)
  --service P[,D]  set pickup and dropoff service minutes (default D = P); all four development
                   days have 4 and 4, so this is a stress test beyond the public files
With options the copies are named <name>_<tag>_p<k>, tag e.g. t75, o50, t75o50, r125, v75,
s6x6 (so tools/dispatch_table.sh averages each variant as its own family). The time jitter of
copy k is the same as in the plain copy <name>_p<k> (same seed, drawn before any thinning), and
each thinning has its own seed (name, copy, option and its value): the t75 copy p3 is the plain
copy p3 without a quarter of its couriers.
"""
import argparse
import os
import random
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


def perturb(src: str, dst: str, seed: str, opts=None) -> None:
    rng = random.Random(seed)
    os.makedirs(dst, exist_ok=True)
    rewritten = ("orders.txt", "couriers.txt", "instance_parameters.txt") if opts else ("orders.txt",)
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
    with open(os.path.join(dst, "orders.txt"), "w") as fh:
        fh.write("\n".join([header] + jittered) + "\n")
    if not opts:
        return

    cheader, crows = _read(os.path.join(src, "couriers.txt"))
    if opts.couriers < 100:
        crows = _thin(crows, opts.couriers, f"{seed}/couriers{opts.couriers:g}")
    with open(os.path.join(dst, "couriers.txt"), "w") as fh:
        fh.write("\n".join([cheader] + crows) + "\n")

    pheader, prows = _read(os.path.join(src, "instance_parameters.txt"))
    v = prows[0].split("\t")
    if opts.speed != 100:
        v[0] = str(int(round(float(v[0]) * opts.speed / 100.0)))
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


def tag_of(opts) -> str:
    tag = ""
    if opts.couriers < 100:
        tag += f"t{opts.couriers:g}"
    if opts.orders < 100:
        tag += f"o{opts.orders:g}"
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
    opts = ap.parse_args()
    for pct in (opts.couriers, opts.orders, opts.prep, opts.speed):
        if not 0 < pct <= 1000:
            ap.error("percentages must be in (0, 1000]")
    if opts.couriers > 100 or opts.orders > 100:
        ap.error("--couriers and --orders only thin (at most 100)")
    tag = tag_of(opts)
    for name in sorted(os.listdir(opts.root)):
        src = os.path.join(opts.root, name)
        if not os.path.isfile(os.path.join(src, "orders.txt")):
            continue
        for k in range(1, opts.copies + 1):
            dst_name = f"{name}_{tag}_p{k}" if tag else f"{name}_p{k}"
            perturb(src, os.path.join(opts.out, dst_name), f"{name}/{k}", opts if tag else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
