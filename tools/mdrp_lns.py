#!/usr/bin/env python3
"""Full-knowledge improvement of an MDRP solution: how far is a policy from what a planner who
knew the whole day could do?

Not a dispatch policy: it sees every order and courier of the day at once. It starts from a
solution's trips (e.g. the slack policy's), re-times each courier's sequence as early as the
rules allow (an assignment is made when the courier is free and the trip's orders are placed;
the courier waits at the restaurant if early), then runs a large-neighbourhood search: remove a
few related orders (near in ready time and place), put each back where it adds least (a new trip
at any point of any courier's sequence, or joining a trip of its restaurant, up to MAX_BUNDLE
orders, drop-offs in the best order), keep the change if the total click-to-door fell. Lost
orders (none in a solution that delivers all) may be inserted like the others. The search is
seeded: a given number of moves always gives the same schedule, while a time budget's number of
moves (and so its result) depends on the machine's speed.

The result is a feasible schedule of the README's variant (no prepositioning, bundles fixed at
assignment), written in the benchmark's solution format: check it with `swifteats dispatch-eval
--instance DIR --solution OUT` (the proof is dispatch-eval's verdict, not this script's figures).
Its click-to-door mean is an upper bound on the best any schedule achieves; the gap between the
starting solution and it is what foresight plus better choices could still gain.

usage: tools/mdrp_lns.py INSTANCE_DIR SOLUTION_DIR OUT_DIR [SECONDS [SEED [MAX_BUNDLE]]]
         defaults 120 s, seed 1, bundles of at most 4; prints the mean before and after
"""
import itertools
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mdrp_model import Day, read_table, run_trip, write_solution_files  # noqa: E402  (beside it)


def best_sequence(day, where, free, on, orders):
    """The drop-off order with the least click-to-door (then the earliest free time)."""
    best = None
    for perm in itertools.permutations(orders):
        r = run_trip(day, where, free, on, list(perm))
        key = (sum(d - day.orders[o][0] for o, d in zip(perm, r[2])), r[3])
        if best is None or key < best[0]:
            best = (key, list(perm))
    return best[1]


class Courier:
    """A courier's sequence of trips, with the times and click-to-door of each prefix."""

    def __init__(self, day, cid, trips):
        self.day, self.cid = day, cid
        self.on, self.off = day.couriers[cid]
        self.trips = trips
        self.cost = self.evaluate(trips)[0]

    def evaluate(self, trips):
        """(total click-to-door, timings) or (None, None) when a pickup falls after the off-time."""
        day, where, free, total, timings = self.day, "start:" + self.cid, self.on, 0, []
        for orders in trips:
            a, pick, drops, free, where = run_trip(day, where, free, self.on, orders)
            if pick > self.off:
                return None, None
            total += sum(d - day.orders[o][0] for o, d in zip(orders, drops))
            timings.append((a, pick, drops))
        return total, timings


def load_solution(day, sol):
    """Each courier's trips, in assignment order, from a solution's assignments file."""
    trips = {c: [] for c in day.couriers}
    rows = read_table(os.path.join(sol, "solution_info_assignments.txt"))
    for r in sorted(rows, key=lambda r: (int(r[0]), int(r[1]))):
        trips[r[2]].append(r[3:])
    return trips


def insertion_options(day, couriers, o, max_bundle, window=45):
    """(added cost, courier, new trips) of every place order `o` may go, cheapest first."""
    placed, rest, ready = day.orders[o]
    out = []
    for c in couriers.values():
        if c.off < placed or c.on > ready + window:
            continue
        _, timings = c.evaluate(c.trips)
        n = len(c.trips)
        for j in range(n + 1):
            # Only where the courier's day is near the order's time.
            if j < n and timings[j][1] < placed - window:
                continue
            if j > 0 and timings[j - 1][1] > ready + window:
                break
            cands = [c.trips[:j] + [[o]] + c.trips[j:]]
            if j < n and len(c.trips[j]) < max_bundle and day.orders[c.trips[j][0]][1] == rest:
                where = "start:" + c.cid if j == 0 else c.trips[j - 1][-1]
                seq = best_sequence(day, where, 0, c.on, c.trips[j] + [o])
                cands.append(c.trips[:j] + [seq] + c.trips[j + 1:])
            for trips in cands:
                cost, _ = c.evaluate(trips)
                if cost is not None:
                    out.append((cost - c.cost, c.cid, trips))
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def search(day, trips, rng, max_bundle=4, seconds=None, max_moves=None):
    """The large-neighbourhood search from `trips` (courier -> list of trips); stops after
    `seconds` or `max_moves`. Returns (couriers, delivered order -> courier, lost orders)."""
    couriers = {c: Courier(day, c, t) for c, t in trips.items()}
    if any(c.cost is None for c in couriers.values()):
        raise ValueError("the starting solution has a pickup after an off-time")
    where_is = {o: c for c, ts in trips.items() for t in ts for o in t}
    lost = [o for o in day.orders if o not in where_is]
    penalty = 1000  # per order not delivered: delivering one always beats its click-to-door

    def total():
        return sum(c.cost for c in couriers.values()) + penalty * len(lost)

    ids = sorted(day.orders)
    deadline = time.monotonic() + seconds if seconds is not None else None
    moves = 0
    while (deadline is None or time.monotonic() < deadline) and \
            (max_moves is None or moves < max_moves):
        moves += 1
        # A few related orders: near in ready time (10 minutes ~ 2 km) and place, with noise.
        seed = rng.choice(ids)
        ready0 = day.orders[seed][2]
        x0, y0 = day.pos[seed]
        k = rng.randint(2, 6)
        near = set(sorted(ids, key=lambda o: abs(day.orders[o][2] - ready0) / 10.0
                          + math.hypot(day.pos[o][0] - x0, day.pos[o][1] - y0) / 2000.0
                          + rng.random())[:k])
        before = total()
        saved = {cid: (c.trips, c.cost) for cid, c in couriers.items()}
        saved_where, saved_lost = dict(where_is), list(lost)
        taken = sorted(near)
        lost = [o for o in lost if o not in near]
        feasible = True
        for o in taken:
            if o in where_is:
                c = couriers[where_is.pop(o)]
                c.trips = [t for t in ([x for x in t if x != o] for t in c.trips) if t]
                c.cost = c.evaluate(c.trips)[0]
                # Leaving from another place can make a later pickup miss the off-time.
                feasible = feasible and c.cost is not None
        if feasible:
            taken.sort(key=lambda o: day.orders[o][2] + rng.randint(-10, 10))
            for o in taken:
                opts = insertion_options(day, couriers, o, max_bundle)
                if not opts:
                    lost.append(o)
                    continue
                delta, cid, new_trips = opts[0 if len(opts) == 1 or rng.random() < 0.8 else 1]
                c = couriers[cid]
                c.trips, c.cost = new_trips, c.cost + delta
                where_is[o] = cid
        if not feasible or total() >= before:
            for cid, (t, cost) in saved.items():
                couriers[cid].trips, couriers[cid].cost = t, cost
            where_is, lost = saved_where, saved_lost
    return couriers, where_is, lost


def mean_c2d(couriers, where_is):
    return sum(c.cost for c in couriers.values()) / max(1, len(where_is))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    inst, sol, out = argv[:3]
    seconds = float(argv[3]) if len(argv) > 3 else 120.0
    rng = random.Random(int(argv[4]) if len(argv) > 4 else 1)
    max_bundle = int(argv[5]) if len(argv) > 5 else 4
    day = Day(inst)
    trips = load_solution(day, sol)
    try:
        start, start_where, start_lost = search(day, trips, rng, max_bundle, max_moves=0)
    except ValueError as e:
        print(f"mdrp_lns: {e}", file=sys.stderr)
        return 1
    print(f"start: {len(start_where)} delivered, {len(start_lost)} lost, c2d mean "
          f"{mean_c2d(start, start_where):.3f} (re-timed as early as the rules allow)")
    couriers, where_is, lost = search(day, trips, rng, max_bundle, seconds=seconds)
    print(f"after {seconds:g} s: {len(where_is)} delivered, {len(lost)} lost, c2d mean "
          f"{mean_c2d(couriers, where_is):.3f}")
    write_solution(day, couriers, out)
    return 0


def write_solution(day, couriers, out):
    os.makedirs(out, exist_ok=True)
    A, M, OR = [], [], []
    for cid in sorted(couriers, key=lambda c: (len(c), c)):
        c = couriers[cid]
        _, timings = c.evaluate(c.trips)
        loc = "0"
        for orders, (a, pick, drops) in zip(c.trips, timings):
            A.append((a, pick, cid, orders))
            rest = day.orders[orders[0]][1]
            M.append(f"{cid} {a} {loc} {rest}")
            prev, depart = rest, pick + day.hp
            for o, d in zip(orders, drops):
                M.append(f"{cid} {depart} {prev} {o}")
                prev, depart = o, d + day.hd
                placed, _, ready = day.orders[o]
                OR.append((o, f"{o} {placed} {ready} {pick} {d} {cid}"))
            loc = prev
    OR.sort(key=lambda x: (len(x[0]), x[0]))
    write_solution_files(out, A, M, [line for _, line in OR])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
