#!/usr/bin/env python3
"""Perturbed copies of MDRP instances, for judging dispatch policy changes on more than one day.

usage: tools/perturb_mdrp.py [INSTANCES_DIR] [OUT_DIR] [COPIES]
  INSTANCES_DIR  default /work/shared/mdrp/instances
  OUT_DIR        default /tmp/mdrp-perturbed
  COPIES         default 8

Every instance <name> under INSTANCES_DIR gets COPIES copies <name>_p1 .. <name>_pCOPIES in
OUT_DIR. In each copy every order's placement time moves by a seeded uniform -3..+3 minutes
(never below 0) and its ready time by the same shift plus a further -2..+2, and ready is never
before placement. Restaurants, couriers and parameters are copied unchanged. The seed of a copy
is derived from the instance name and the copy number only (random.Random with a string seed is
stable across Python versions and platforms), so the copies are reproducible.
"""
import os
import random
import shutil
import sys


def perturb(src: str, dst: str, seed: str) -> None:
    rng = random.Random(seed)
    os.makedirs(dst, exist_ok=True)
    for f in os.listdir(src):
        if f != "orders.txt":
            shutil.copyfile(os.path.join(src, f), os.path.join(dst, f))
    with open(os.path.join(src, "orders.txt")) as fh:
        lines = fh.read().splitlines()
    header, rows = lines[0], [l for l in lines[1:] if l.strip()]
    cols = header.split("\t")
    ip, ir = cols.index("placement_time"), cols.index("ready_time")
    out = [header]
    for row in rows:
        v = row.split("\t")
        placed, ready = int(v[ip]), int(v[ir])
        shift = rng.randint(-3, 3)
        extra = rng.randint(-2, 2)
        new_placed = max(0, placed + shift)
        new_ready = max(new_placed, ready + shift + extra)
        v[ip], v[ir] = str(new_placed), str(new_ready)
        out.append("\t".join(v))
    with open(os.path.join(dst, "orders.txt"), "w") as fh:
        fh.write("\n".join(out) + "\n")


def main() -> int:
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/mdrp/instances"
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/mdrp-perturbed"
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    for name in sorted(os.listdir(root)):
        src = os.path.join(root, name)
        if not os.path.isfile(os.path.join(src, "orders.txt")):
            continue
        for k in range(1, copies + 1):
            perturb(src, os.path.join(out, f"{name}_p{k}"), f"{name}/{k}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
