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
         5, 15 until one run loses nothing (its files stay in OUT_DIR); prints its settings;
         if none does, re-runs the one that lost fewest, leaves its files and prints it (exit 1)
       tools/mdrp_offline.py --bound INSTANCE_DIR
         prints a lower bound on the orders any feasible schedule loses and the orders no
         courier can pick up before its off-time even with nothing else to do (see lower_bound())
e.g.   tools/mdrp_offline.py /work/shared/mdrp/instances/1r50t100s1p125 /tmp/off 3 5 0.05 15
Recorded runs (all accepted by dispatch-eval with every order delivered) are listed in
docs/dispatch.md.
"""
import itertools
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mdrp_model import Day, run_trip, write_solution_files  # noqa: E402  (beside this tool)


def read_table(inst, name):
    with open(os.path.join(inst, name)) as fh:
        rows = [l.rstrip("\n").split("\t") for l in fh if l.strip()]
    return rows[1:]


def solve(inst, out, seed=0, max_bundle=3, shift_weight=0.0, join_bonus=0.0):
    day = Day(inst)
    O = {o: dict(placed=placed, rest=rest, ready=ready)
         for o, (placed, rest, ready) in day.orders.items()}
    C = {c: dict(on=on, off=off) for c, (on, off) in day.couriers.items()}

    def plan(where, free, on, orders):
        """The trip with the drop-off order that frees the courier first (then the earliest
        drop-offs), timed by the README's rules (mdrp_model.run_trip)."""
        best = None
        for perm in itertools.permutations(orders):
            a, pick, drops, t, at = run_trip(day, where, free, on, list(perm))
            key = (t, sum(drops))
            if best is None or key < best[0]:
                best = (key, dict(a=a, pick=pick, orders=list(perm), drops=drops, free=t, pos=at))
        return best[1]

    rng = random.Random(seed)
    state = {c: dict(free=C[c]["on"], pos="start:" + c, trips=[]) for c in C}
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
                    ppos = prev["pos"] if prev else "start:" + c
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
            prev, depart = r, t["pick"] + day.hp
            for o, d in zip(t["orders"], t["drops"]):
                M.append(f"{c} {depart} {prev} {o}")
                prev, depart = o, d + day.hd
                OR.append(f"{o} {O[o]['placed']} {O[o]['ready']} {t['pick']} {d} {c}")
            loc = prev
    write_solution_files(out, A, M, OR)
    return lost


def load_instance(inst):
    """(speed, pickup half, dropoff half, restaurants, couriers, orders) of an instance directory."""
    par = read_table(inst, "instance_parameters.txt")[0]
    R = {r[0]: (float(r[1]), float(r[2])) for r in read_table(inst, "restaurants.txt")}
    C = [(float(c[1]), float(c[2]), int(c[3]), int(c[4])) for c in read_table(inst, "couriers.txt")]
    return float(par[0]), (int(par[1]) + 1) // 2, (int(par[2]) + 1) // 2, R, C, read_table(inst, "orders.txt")


def travel(mpm):
    return lambda ax, ay, bx, by: math.ceil(math.sqrt((ax - bx) ** 2 + (ay - by) ** 2) / mpm)


def pickup_times(o, R, C, tt, hp):
    """(courier index, earliest minute it could pick order row `o` up even with nothing else to
    do) of every courier that could before its off-time (lower_bound(), 1.)."""
    rx, ry = R[o[4]]
    earliest = max(int(o[5]), int(o[3]) + hp)
    times = ((k, max(earliest, on + tt(x, y, rx, ry) + hp)) for k, (x, y, on, off) in enumerate(C))
    return [(k, t) for k, t in times if t <= C[k][3]]


def sole_courier_orders(orders_with_times):
    """{courier index: orders} of the orders (row, pickup_times()) only one courier can reach."""
    exclusive = {}
    for o, times in orders_with_times:
        if len(times) == 1:
            exclusive.setdefault(times[0][0], []).append(o)
    return exclusive


def _most_served(courier, orders, R, tt, hp, hd, limit=200000):
    """The most of `orders` (rows) one courier (x, y, on, off) could deliver if it did nothing
    else, or None when the search would take more than `limit` steps.

    Exhaustive over sequences of trips, a trip being any set of one restaurant's orders picked up
    together and dropped in any order. Relaxed where that can only serve more: the courier may be
    on its way before an order is placed (its first pickup is its pickup_times() one), and
    between these trips it does nothing else.
    """
    x, y, on, off = courier
    rows = [(int(o[3]), int(o[5]), o[4], float(o[1]), float(o[2])) for o in orders]
    best = [0]
    steps = [0]

    class AllServed(Exception):
        pass

    def search(left, free, px, py, served):
        best[0] = max(best[0], served)
        if best[0] == len(rows):
            raise AllServed
        if served + len(left) <= best[0]:
            return
        by_rest = {}
        for i in left:
            by_rest.setdefault(rows[i][2], []).append(i)
        for r, mine in by_rest.items():
            rx, ry = R[r]
            arrive = free + tt(px, py, rx, ry)
            for size in range(len(mine), 0, -1):
                for trip in itertools.combinations(mine, size):
                    pick = max(max(rows[i][1] for i in trip), max(rows[i][0] for i in trip) + hp,
                               arrive + hp)
                    if pick > off:
                        continue
                    rest_left = [i for i in left if i not in trip]
                    for seq in itertools.permutations(trip):
                        steps[0] += 1
                        if steps[0] > limit:
                            raise OverflowError
                        t, qx, qy = pick + hp, rx, ry
                        for i in seq:
                            t += tt(qx, qy, rows[i][3], rows[i][4]) + 2 * hd
                            qx, qy = rows[i][3], rows[i][4]
                        search(rest_left, t, qx, qy, served + size)

    try:
        search(list(range(len(rows))), on, x, y, 0)
    except AllServed:
        pass
    except OverflowError:
        return None
    return best[0]


def exclusive_shortfall(exclusive, R, C, tt, hp, hd):
    """Orders any feasible schedule loses because one courier alone can reach them (lower_bound(),
    3.): for each courier of `exclusive` (sole_courier_orders()), its orders minus the most of
    them it could deliver."""
    lost = 0
    for k, orders in exclusive.items():
        if len(orders) > 1:
            served = _most_served(C[k], orders, R, tt, hp, hd)
            lost += len(orders) - (len(orders) if served is None else served)
    return lost


def exclusive_losses(inst):
    """exclusive_shortfall() of an instance directory."""
    mpm, hp, hd, R, C, O = load_instance(inst)
    tt = travel(mpm)
    exclusive = sole_courier_orders((o, pickup_times(o, R, C, tt, hp)) for o in O)
    return exclusive_shortfall(exclusive, R, C, tt, hp, hd)


def lower_bound(inst):
    """A lower bound on the orders any feasible schedule loses, with the orders it proves lost.

    1. Orders no courier can pick up before its off-time even with nothing else to do: a pickup
       is at least max(ready, placement + pickup_service/2, on-time + ride from the courier's
       start + pickup_service/2) (whatever a courier did before, its rides from its start are no
       shorter than the direct ride: ceil(a) + ceil(b) >= ceil(a + b) and the triangle
       inequality); it must be at most the off-time.
    2. End of day: for a minute T, the other orders whose earliest pickup is at or after T must
       be picked up in [T, off-time] by some courier. Two pickups of one courier are at least
       g = pickup_service + dropoff_service (halves rounded up) + d apart, d = the shortest ride
       from any order's restaurant to its customer and on to any restaurant (a trip drops at
       least one order, any order, and the next pickup is at a restaurant). So courier c
       makes at most 1 + floor((off_c - max(T, its earliest arrival at any restaurant + half
       the pickup service)) / g) pickups from T on, and a pickup serves one restaurant's orders:
       with K pickups in all, at most the orders of the K restaurants with most of these orders
       are served.
    3. Orders one courier alone can reach (by 1.'s test): of each courier's such orders, at most
       the most it could deliver doing nothing else are delivered (_most_served(); e.g. two
       orders ready minutes before its off-time at restaurants too far apart for both pickups).
    The bound is 1. plus the larger of 2.'s largest shortfall over T and 3.'s sum over couriers
    (both count only orders 1. leaves, and may count the same ones).
    """
    mpm, hp, hd, R, C, O = load_instance(inst)
    tt = travel(mpm)

    lost, rest = [], []
    times_of = [(o, pickup_times(o, R, C, tt, hp)) for o in O]
    for o, times in times_of:
        if not times:
            lost.append(o[0])
            continue
        rx, ry = R[o[4]]
        earliest = max(int(o[5]), int(o[3]) + hp)
        ox, oy = float(o[1]), float(o[2])
        d = tt(rx, ry, ox, oy) + min(tt(ox, oy, qx, qy) for qx, qy in R.values())
        rest.append((earliest, o[4], d))
    # A courier's first pickup is no earlier than its on-time + ride to the nearest restaurant.
    first = [(on + min(tt(x, y, qx, qy) for qx, qy in R.values()) + hp, off) for x, y, on, off in C]
    # The trip before a pickup may carry any order (not only the late ones): the shortest d of all.
    dmin = min(d for _, _, d in rest) if rest else 0
    best = 0
    for T in sorted({e for e, _, _ in rest}):
        late = [(r, d) for e, r, d in rest if e >= T]
        g = 2 * hp + 2 * hd + dmin
        k = sum(1 + (off - max(T, f)) // g for f, off in first if max(T, f) <= off)
        per = {}
        for r, _ in late:
            per[r] = per.get(r, 0) + 1
        served = sum(sorted(per.values(), reverse=True)[:k])
        best = max(best, len(late) - served)
    exclusive = exclusive_shortfall(sole_courier_orders(times_of), R, C, tt, hp, hd)
    return len(lost) + max(best, exclusive), lost


def main(argv):
    if len(argv) == 2 and argv[0] == "--bound":
        n, lost = lower_bound(argv[1])
        print("lower_bound", n, "unreachable", len(lost), lost)
        return 0
    if len(argv) >= 3 and argv[0] == "--search":
        inst, out = argv[1], argv[2]
        max_seed = int(argv[3]) if len(argv) > 3 else 60
        name = os.path.basename(os.path.normpath(inst))
        best = None
        for seed in range(1, max_seed + 1):
            for mb, w, jb in itertools.product((5, 6), (0.05, 0.2), (5, 15)):
                lost = solve(inst, out, seed, mb, w, jb)
                if not lost:
                    print(f"{name} lost 0: seed={seed} max_bundle={mb} shift_weight={w} join_bonus={jb}")
                    return 0
                if best is None or len(lost) < best[0]:
                    best = (len(lost), seed, mb, w, jb)
        n, seed, mb, w, jb = best
        lost = solve(inst, out, seed, mb, w, jb)  # leave the best run's files in OUT_DIR
        print(f"{name} no run without lost orders; best lost {n}: seed={seed} max_bundle={mb} "
              f"shift_weight={w} join_bonus={jb} {lost}")
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
