"""The MDRP instance and trip timing shared by the offline tools (tools/mdrp_offline.py,
tools/mdrp_lns.py): places by name, travel times as the benchmark computes them, one trip timed
by the README's rules, and the benchmark's three solution files."""
import math
import os


def read_table(path):
    with open(path) as fh:
        rows = [l.split() for l in fh if l.strip()]
    return rows[1:]


class Day:
    """The instance, with memoised travel times between named places."""

    def __init__(self, inst):
        par = read_table(os.path.join(inst, "instance_parameters.txt"))[0]
        self.mpm = float(par[0])
        self.hp, self.hd = (int(par[1]) + 1) // 2, (int(par[2]) + 1) // 2
        self.pos = {}
        for r in read_table(os.path.join(inst, "restaurants.txt")):
            self.pos[r[0]] = (float(r[1]), float(r[2]))
        self.orders = {}
        for o in read_table(os.path.join(inst, "orders.txt")):
            self.pos[o[0]] = (float(o[1]), float(o[2]))
            self.orders[o[0]] = (int(o[3]), o[4], int(o[5]))  # placed, restaurant, ready
        self.couriers = {}
        for c in read_table(os.path.join(inst, "couriers.txt")):
            self.pos["start:" + c[0]] = (float(c[1]), float(c[2]))
            self.couriers[c[0]] = (int(c[3]), int(c[4]))  # on, off
        self._tt = {}

    def tt(self, a, b):
        key = (a, b)
        t = self._tt.get(key)
        if t is None:
            (ax, ay), (bx, by) = self.pos[a], self.pos[b]
            t = math.ceil(math.sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by)) / self.mpm)
            self._tt[key] = t
        return t


def run_trip(day, where, free, on, orders):
    """Times of one trip leaving from `where` once the courier is free: (assignment, pickup,
    drops, free after, last place), with the drop-offs in the given order."""
    placed = max(day.orders[o][0] for o in orders)
    rest = day.orders[orders[0]][1]
    a = max(free, on, placed)
    pick = max(max(day.orders[o][2] for o in orders), a + day.tt(where, rest) + day.hp)
    t, at, drops = pick + day.hp, rest, []
    for o in orders:
        arr = t + day.tt(at, o)
        drops.append(arr + day.hd)
        t, at = arr + 2 * day.hd, o
    return a, pick, drops, t, at


def write_solution_files(out, assignments, moves, order_lines):
    """The benchmark's three solution files in `out`: assignments as (time, pickup, courier,
    orders), written by time then courier; moves and order lines as text, in the order given."""
    assignments = sorted(assignments, key=lambda x: (x[0], x[2]))
    with open(os.path.join(out, "solution_info_assignments.txt"), "w") as fh:
        fh.write("assignment_time pickup_time courier orders\n")
        fh.write("".join(f"{a} {p} {c} {' '.join(os_)}\n" for a, p, c, os_ in assignments))
    with open(os.path.join(out, "solution_info_couriers.txt"), "w") as fh:
        fh.write("courier departure_time origin destination\n" + "\n".join(moves) + "\n")
    with open(os.path.join(out, "solution_info_orders.txt"), "w") as fh:
        fh.write("order placement_time ready_time pickup_time dropoff_time courier\n"
                 + "\n".join(order_lines) + "\n")
