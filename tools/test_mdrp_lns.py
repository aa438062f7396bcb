#!/usr/bin/env python3
"""Tests of tools/mdrp_lns.py (run by ctest as `tools_mdrp_lns`): its timing must be the
README's rules, a pickup after the off-time must make a sequence infeasible, and the search must
improve a bad schedule into a feasible one without losing or duplicating an order."""
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mdrp_lns as lns  # noqa: E402  (the tool lives beside this test)

PARAMS = ("meters_per_minute\tpickup service minutes\tdropoff service minutes\t"
          "target click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n"
          "320\t4\t4\t40\t90\t10\t15\n")


def write_instance(root, couriers, orders):
    """Restaurant r1 at the origin; couriers as (x, on, off) on the x axis; orders as
    (metres north of r1, placed, ready)."""
    files = {
        "instance_parameters.txt": PARAMS,
        "restaurants.txt": "restaurant\tx\ty\nr1\t0\t0\n",
        "couriers.txt": "courier\tx\ty\ton_time\toff_time\n" + "".join(
            f"c{i}\t{x}\t0\t{on}\t{off}\n" for i, (x, on, off) in enumerate(couriers)),
        "orders.txt": "order\tx\ty\tplacement_time\trestaurant\tready_time\n" + "".join(
            f"o{i}\t0\t{north}\t{placed}\tr1\t{ready}\n"
            for i, (north, placed, ready) in enumerate(orders)),
    }
    for f, text in files.items():
        with open(os.path.join(root, f), "w") as out:
            out.write(text)
    return lns.Day(root)


class Timing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_a_trip_follows_the_readme(self):
        # Assigned at placement (10); at the restaurant at once, picked up when ready (20, not
        # 10 + 2); leaves at 22, rides 2 minutes (640 m), drops off at 24 + 2, free at 28.
        day = write_instance(self.tmp.name, [(0, 0, 100)], [(640, 10, 20)])
        self.assertEqual(lns.run_trip(day, "start:c0", 0, 0, ["o0"]), (10, 20, [26], 28, "o0"))

    def test_a_pickup_after_the_off_time_is_infeasible(self):
        day = write_instance(self.tmp.name, [(0, 0, 19)], [(640, 10, 20)])
        self.assertEqual(lns.Courier(day, "c0", [["o0"]]).evaluate([["o0"]]), (None, None))
        self.assertIsNotNone(lns.Courier(day, "c0", []).evaluate([])[0])

    def test_the_nearer_customer_is_dropped_off_first(self):
        day = write_instance(self.tmp.name, [(0, 0, 100)], [(6400, 0, 20), (640, 0, 20)])
        self.assertEqual(lns.best_sequence(day, "start:c0", 0, 0, ["o0", "o1"]), ["o1", "o0"])


class Search(unittest.TestCase):
    def test_a_bad_schedule_improves_and_every_order_stays_delivered_once(self):
        with tempfile.TemporaryDirectory() as tmp:
            # c0 waits 40 minutes' ride away; c1 at the restaurant. The start gives c0 all four.
            day = write_instance(tmp, [(12800, 0, 300), (0, 0, 300)],
                                 [(640, 0, 10), (1280, 5, 15), (640, 30, 40), (960, 35, 45)])
            start = {"c0": [["o0"], ["o1"], ["o2"], ["o3"]], "c1": []}
            before, _, _ = lns.search(day, start, random.Random(1), max_moves=0)
            couriers, where, lost = lns.search(day, start, random.Random(1), max_moves=300)
            self.assertEqual(lost, [])
            self.assertEqual(sorted(where), ["o0", "o1", "o2", "o3"])
            self.assertLess(lns.mean_c2d(couriers, where), lns.mean_c2d(before, where))
            lns.write_solution(day, couriers, tmp + "/out")
            with open(tmp + "/out/solution_info_orders.txt") as fh:
                rows = [l.split() for l in fh][1:]
            self.assertEqual(sorted(r[0] for r in rows), ["o0", "o1", "o2", "o3"])

    def test_an_infeasible_start_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            day = write_instance(tmp, [(0, 0, 5)], [(640, 10, 20)])
            with self.assertRaises(ValueError):
                lns.search(day, {"c0": [["o0"]]}, random.Random(1), max_moves=0)


if __name__ == "__main__":
    unittest.main()
