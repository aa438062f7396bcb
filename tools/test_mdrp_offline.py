#!/usr/bin/env python3
"""Tests of tools/mdrp_offline.py's lower bound on lost orders (run by ctest as
`tools_mdrp_offline`): the scorecard excuses exactly the orders it proves lost, so each rule must
count what no schedule can deliver and nothing a schedule can."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mdrp_offline as mo  # noqa: E402  (the tool lives beside this test)

PARAMS = ("meters_per_minute\tpickup service minutes\tdropoff service minutes\t"
          "target click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n"
          "320\t4\t4\t40\t90\t10\t15\n")


def write_instance(root, name, couriers, orders):
    """Restaurant r1 at the origin, r2 6,400 m (20 minutes) east of it; couriers as
    (x, on, off) on the x axis; orders as (restaurant, ready), each 640 m (2 minutes) north of
    its restaurant and placed 10 minutes before it is ready."""
    d = os.path.join(root, name)
    os.makedirs(d)
    east = {"r1": 0, "r2": 6400}
    files = {
        "instance_parameters.txt": PARAMS,
        "restaurants.txt": "restaurant\tx\ty\nr1\t0\t0\nr2\t6400\t0\n",
        "couriers.txt": "courier\tx\ty\ton_time\toff_time\n" + "".join(
            f"c{i}\t{x}\t0\t{on}\t{off}\n" for i, (x, on, off) in enumerate(couriers)),
        "orders.txt": "order\tx\ty\tplacement_time\trestaurant\tready_time\n" + "".join(
            f"o{i}\t{east[r]}\t640\t{ready - 10}\t{r}\t{ready}\n"
            for i, (r, ready) in enumerate(orders)),
    }
    for f, text in files.items():
        with open(os.path.join(d, f), "w") as out:
            out.write(text)
    return d


class ExclusiveLossesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def instance(self, name, couriers, orders):
        return write_instance(self.tmp.name, name, couriers, orders)

    def test_two_far_apart_orders_of_the_last_courier_lose_one(self):
        # c0 leaves at 30: it can pick up either order at 25 (r2 is 20 minutes away), never both
        # (o0 picked up at 25 is dropped at 31, left at 33, then 21 minutes' ride to r2: the
        # second pickup would be at 56 at the earliest; the other way round likewise).
        d = self.instance("far", [(0, 0, 30)], [("r1", 25), ("r2", 25)])
        self.assertEqual(mo.exclusive_losses(d), 1)
        self.assertEqual(mo.lower_bound(d), (1, []))

    def test_one_restaurants_orders_go_together(self):
        d = self.instance("same", [(0, 0, 30)], [("r1", 25), ("r1", 27), ("r1", 29)])
        self.assertEqual(mo.exclusive_losses(d), 0)

    def test_orders_far_enough_apart_in_time_are_both_served(self):
        # o0 dropped at 25 + 2 + 2 + 2 = 31, left at 33, then 21 minutes' ride (ceil of 6,432 m)
        # to r2: picked up at 33 + 21 + 2 = 56, within an off-time of 56, not of 55.
        d = self.instance("in_time", [(0, 0, 56)], [("r1", 25), ("r2", 54)])
        self.assertEqual(mo.exclusive_losses(d), 0)
        d = self.instance("too_late", [(0, 0, 55)], [("r1", 25), ("r2", 54)])
        self.assertEqual(mo.exclusive_losses(d), 1)

    def test_orders_another_courier_can_reach_are_not_counted(self):
        d = self.instance("two", [(0, 0, 30), (6400, 0, 30)], [("r1", 25), ("r2", 25)])
        self.assertEqual(mo.exclusive_losses(d), 0)
        self.assertEqual(mo.lower_bound(d), (0, []))

    def test_unreachable_orders_are_rule_one_only(self):
        # o1 is ready after c0 leaves: rule 1's, and not also one of c0's exclusive orders.
        d = self.instance("gone", [(0, 0, 30)], [("r1", 25), ("r2", 40)])
        self.assertEqual(mo.exclusive_losses(d), 0)
        self.assertEqual(mo.lower_bound(d), (1, ["o1"]))

    def test_the_bound_is_met_by_an_offline_schedule(self):
        d = self.instance("far2", [(0, 0, 30)], [("r1", 25), ("r2", 25)])
        lost = mo.solve(d, os.path.join(self.tmp.name, "out"))
        self.assertEqual(len(lost), 1)


if __name__ == "__main__":
    unittest.main()
