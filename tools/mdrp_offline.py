#!/usr/bin/env python3
"""Offline (full-knowledge) heuristic schedule for an MDRP instance: can every order be delivered?

Not a dispatch policy: it sees the whole day at once (every order and courier in advance), so it
only proves what is reachable. docs/dispatch.md uses it to show that every order of
1r50t100s1p125 and of its perturbed copies p1..p8 (tools/perturb_mdrp.py) can be delivered by a
feasible schedule, i.e. that the orders the online policy loses there are the policy's limit, not
the day's. Its schedules are written in the benchmark's solution format and must be checked
with `swifteats dispatch-eval --instance DIR --solution OUT` (the proof is dispatch-eval's
verdict, not this script's count).

Heuristic: orders in ready order (jittered by a seeded -5..+5 minutes when SEED > 0), each either
appended to a courier's last trip if it is from the same restaurant (up to MAX_BUNDLE orders,
favoured by JOIN_BONUS minutes) or given to the courier whose new trip ends earliest, plus
SHIFT_WEIGHT minutes per minute its shift continues after the pickup (couriers about to leave are
used first), plus up to 3 minutes of seeded noise (SEED > 0). A trip is assigned when the courier
is free and its orders are placed; the courier waits at the restaurant if early. Drop-offs are
sequenced exhaustively (earliest free time, then sum of drop-offs). Pickups after the courier's
off-time are never planned; an order no courier can take is reported lost.

usage: tools/mdrp_offline.py INSTANCE_DIR OUT_DIR [SEED [MAX_BUNDLE [SHIFT_WEIGHT [JOIN_BONUS]]]]
         one run (defaults 0 3 0 0); prints "lost N [orders]" and writes the solution files
       tools/mdrp_offline.py --search INSTANCE_DIR OUT_DIR [MAX_SEED]
         seeds 1..MAX_SEED (default 60) x MAX_BUNDLE 5, 6 x SHIFT_WEIGHT 0.05, 0.2 x JOIN_BONUS
         5, 15 until one run loses nothing (its files stay in OUT_DIR); prints its settings
e.g.   tools/mdrp_offline.py /work/shared/mdrp/instances/1r50t100s1p125 /tmp/off 3 5 0.05 15
Recorded runs (all accepted by dispatch-eval with every order delivered) are listed in
docs/dispatch.md.
"""
import itertools
import math
import os
import random
import sys


def read_table(inst, name):
    with open(os.path.join(inst, name)) as fh:
        rows = [l.rstrip("\n").split("\t") for l in fh if l.strip()]
    return rows[1:]


def solve(inst, out, seed=0, max_bundle=3, shift_weight=0.0, join_bonus=0.0):
    par = read_table(inst, "instance_parameters.txt")[0]
    mpm, ps, ds = float(par[0]), int(par[1]), int(par[2])
    hp, hd = (ps + 1) // 2, (ds + 1) // 2
    R = {r[0]: (float(r[1]), float(r[2])) for r in read_table(inst, "restaurants.txt")}
    O = {o[0]: dict(at=(float(o[1]), float(o[2])), placed=int(o[3]), rest=o[4], ready=int(o[5]))
         for o in read_table(inst, "orders.txt")}
    C = {c[0]: dict(at=(float(c[1]), float(c[2])), on=int(c[3]), off=int(c[4]))
         for c in read_table(inst, "couriers.txt")}

    def tt(a, b):  # the benchmark's travel time: ceil(euclidean distance / speed)
        return math.ceil(math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) / mpm)

    def plan(cpos, free, on, orders):
        a = max(free, on, max(O[o]["placed"] for o in orders))
        r = O[orders[0]]["rest"]
        arrive = a + tt(cpos, R[r])
        pick = max(max(O[o]["ready"] for o in orders), arrive + hp)
        best = None
        for perm in itertools.permutations(orders):
            t, pos, drops = pick + hp, R[r], []
            for o in perm:
                arr = t + tt(pos, O[o]["at"])
                drops.append(arr + hd)
                t, pos = arr + 2 * hd, O[o]["at"]
            key = (t, sum(drops))
            if best is None or key < best[0]:
                best = (key, list(perm), drops, t, pos)
        return dict(a=a, pick=pick, orders=best[1], drops=best[2], free=best[3], pos=best[4])

    rng = random.Random(seed)
    state = {c: dict(free=C[c]["on"], pos=C[c]["at"], trips=[]) for c in C}
    order_ids = sorted(O, key=lambda o: (O[o]["ready"] + (rng.randint(-5, 5) if seed else 0), o))
    lost = []
    for o in order_ids:
        best = None
        for c, st in state.items():
            p = plan(st["pos"], st["free"], C[c]["on"], [o])  # a new trip
            if p["pick"] <= C[c]["off"]:
                key = (p["free"] + (rng.random() * 3 if seed else 0) + shift_weight * (C[c]["off"] - p["pick"]),
                       p["pick"])
                if best is None or key < best[0]:
                    best = (key, c, "new", p)
            if st["trips"]:  # or joining its last trip
                last = st["trips"][-1]
                if len(last["orders"]) < max_bundle and O[last["orders"][0]]["rest"] == O[o]["rest"]:
                    prev = st["trips"][-2] if len(st["trips"]) > 1 else None
                    pf = prev["free"] if prev else C[c]["on"]
                    ppos = prev["pos"] if prev else C[c]["at"]
                    p = plan(ppos, pf, C[c]["on"], last["orders"] + [o])
                    if p["pick"] <= C[c]["off"]:
                        key = (p["free"] + (rng.random() * 3 if seed else 0)
                               + shift_weight * (C[c]["off"] - p["pick"]) - join_bonus, p["pick"])
                        if best is None or key < best[0]:
                            best = (key, c, "join", p)
        if best is None:
            lost.append(o)
            continue
        _, c, kind, p = best
        st = state[c]
        if kind == "join":
            st["trips"][-1] = p
        else:
            st["trips"].append(p)
        st["free"], st["pos"] = p["free"], p["pos"]

    os.makedirs(out, exist_ok=True)
    A, M, OR = [], [], []
    for c in sorted(state, key=lambda c: int(c[1:])):
        loc = "0"
        for t in state[c]["trips"]:
            A.append((t["a"], t["pick"], c, t["orders"]))
            r = O[t["orders"][0]]["rest"]
            M.append(f"{c} {t['a']} {loc} {r}")
            prev, depart = r, t["pick"] + hp
            for o, d in zip(t["orders"], t["drops"]):
                M.append(f"{c} {depart} {prev} {o}")
                prev, depart = o, d + hd
                OR.append(f"{o} {O[o]['placed']} {O[o]['ready']} {t['pick']} {d} {c}")
            loc = prev
    A.sort(key=lambda x: (x[0], x[2]))
    with open(os.path.join(out, "solution_info_assignments.txt"), "w") as fh:
        fh.write("assignment_time pickup_time courier orders\n")
        fh.write("".join(f"{a} {p} {c} {' '.join(os_)}\n" for a, p, c, os_ in A))
    with open(os.path.join(out, "solution_info_couriers.txt"), "w") as fh:
        fh.write("courier departure_time origin destination\n" + "\n".join(M) + "\n")
    with open(os.path.join(out, "solution_info_orders.txt"), "w") as fh:
        fh.write("order placement_time ready_time pickup_time dropoff_time courier\n" + "\n".join(OR) + "\n")
    return lost


def main(argv):
    if len(argv) >= 3 and argv[0] == "--search":
        inst, out = argv[1], argv[2]
        max_seed = int(argv[3]) if len(argv) > 3 else 60
        for seed in range(1, max_seed + 1):
            for mb, w, jb in itertools.product((5, 6), (0.05, 0.2), (5, 15)):
                if not solve(inst, out, seed, mb, w, jb):
                    print(f"{os.path.basename(os.path.normpath(inst))} lost 0: seed={seed} max_bundle={mb} "
                          f"shift_weight={w} join_bonus={jb}")
                    return 0
        print("no run without lost orders")
        return 1
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    args = argv[2:]
    lost = solve(argv[0], argv[1], int(args[0]) if len(args) > 0 else 0, int(args[1]) if len(args) > 1 else 3,
                 float(args[2]) if len(args) > 2 else 0.0, float(args[3]) if len(args) > 3 else 0.0)
    print("lost", len(lost), lost)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
