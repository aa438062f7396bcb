#!/usr/bin/env python3
"""Tests of tools/perturb_mdrp.py on a small synthetic day (run by ctest as `tools_perturb_mdrp`).

The family scorecard of docs/dispatch.md rests on the sibling derivation: these check that each
axis of a label changes what the benchmark's README says it changes, and nothing else.
"""
import os
import subprocess
import sys
import tempfile
import unittest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "perturb_mdrp.py")
PARAMS_HEADER = ("meters_per_minute\tpickup service minutes\tdropoff service minutes\t"
                 "target click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour")


def write_day(root, name):
    """A day with 40 restaurants, 400 orders (restaurant i % 40) and 20 shifts of 60..250 min."""
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "restaurants.txt"), "w") as f:
        f.write("restaurant\tx\ty\n")
        for r in range(40):
            f.write(f"r{r}\t{1000 + 37 * r}\t{2000 + 53 * r}\n")
    with open(os.path.join(d, "orders.txt"), "w") as f:
        f.write("order\tx\ty\tplacement_time\trestaurant\tready_time\n")
        for o in range(400):
            placed = 10 + o
            f.write(f"o{o}\t{3000 + 11 * o}\t{4000 + 7 * o}\t{placed}\tr{o % 40}\t{placed + 10 + o % 17}\n")
    with open(os.path.join(d, "couriers.txt"), "w") as f:
        f.write("courier\tx\ty\ton_time\toff_time\n")
        for c in range(20):
            f.write(f"c{c}\t{500 + c}\t{600 + c}\t{20 * c}\t{20 * c + 60 + 10 * c}\n")
    with open(os.path.join(d, "instance_parameters.txt"), "w") as f:
        f.write(PARAMS_HEADER + "\n320\t4\t4\t40\t90\t10\t15\n")
    return d


def rows(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f][1:]


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True, check=True)


class PerturbTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.src = os.path.join(self.tmp.name, "in")
        self.day = write_day(self.src, "0o100t100s1p100")
        self.out = os.path.join(self.tmp.name, "out")

    def tearDown(self):
        self.tmp.cleanup()

    def copy(self, name, f):
        return rows(os.path.join(self.out, name, f))

    def test_plain_copy_only_jitters_times(self):
        run(self.src, self.out, "2")
        orig = {o[0]: o for o in rows(os.path.join(self.day, "orders.txt"))}
        got = self.copy("0o100t100s1p100_p1", "orders.txt")
        self.assertEqual(len(got), len(orig))
        for o in got:
            placed, ready = int(o[3]), int(o[5])
            self.assertLessEqual(abs(placed - int(orig[o[0]][3])), 3)
            self.assertLessEqual(abs(ready - int(orig[o[0]][5])), 5)
            self.assertGreaterEqual(ready, placed)
            self.assertEqual(o[4], orig[o[0]][4])
        self.assertEqual(self.copy("0o100t100s1p100_p1", "couriers.txt"),
                         rows(os.path.join(self.day, "couriers.txt")))

    def test_t75_sibling_is_faster_travel_only(self):
        run("--sibling", "o100t75p100", self.src, self.out, "1")
        name = "0o100t75s1p100_sib_p1"
        self.assertEqual(self.copy(name, "instance_parameters.txt")[0][0], "427")  # 320 x 4/3
        run(self.src, os.path.join(self.out, "plain"), "1")
        plain = os.path.join("plain", "0o100t100s1p100_p1")
        self.assertEqual(self.copy(name, "orders.txt"), self.copy(plain, "orders.txt"))
        self.assertEqual(self.copy(name, "couriers.txt"), self.copy(plain, "couriers.txt"))

    def test_p125_sibling_scales_preparation(self):
        run("--sibling", "o100t100p125", self.src, self.out, "1")
        run(self.src, os.path.join(self.out, "plain"), "1")
        plain = {o[0]: o for o in self.copy(os.path.join("plain", "0o100t100s1p100_p1"), "orders.txt")}
        for o in self.copy("0o100t100s1p125_sib_p1", "orders.txt"):
            p = plain[o[0]]
            self.assertEqual(o[3], p[3])
            self.assertEqual(int(o[5]) - int(o[3]), round((int(p[5]) - int(p[3])) * 1.25))

    def test_o50_halves_orders_and_courier_hours(self):
        run("--sibling", "o50t100p100", self.src, self.out, "1")
        name = "0o50t100s1p100_sib_p1"
        self.assertEqual(len(self.copy(name, "orders.txt")), 200)
        hours = lambda cs: sum(int(c[4]) - int(c[3]) for c in cs)
        full = hours(rows(os.path.join(self.day, "couriers.txt")))
        half = hours(self.copy(name, "couriers.txt"))
        self.assertLess(abs(half - full / 2), 250)  # within one shift of half the hours
        self.assertEqual(self.copy(name, "instance_parameters.txt")[0][0], "320")

    def test_r50_keeps_whole_restaurants(self):
        run("--sibling", "r50t100p100", self.src, self.out, "1")
        name = "0r50t100s1p100_sib_p1"
        orders = self.copy(name, "orders.txt")
        kept = {r[0] for r in self.copy(name, "restaurants.txt")}
        self.assertLess(abs(len(orders) - 200), 10)  # restaurants of 10 orders each
        self.assertEqual({o[4] for o in orders}, kept)
        self.assertEqual(len(orders), 10 * len(kept))  # every order of a kept restaurant

    def test_size_never_grows(self):
        write_day(self.src, "1r50t100s1p125")
        result = run("--sibling", "o50t100p100", self.src, self.out, "1")
        self.assertIn("size only shrinks", result.stderr)
        self.assertFalse(any(n.startswith("1") for n in os.listdir(self.out)))

    def test_each_day_derives_its_own_settings(self):
        write_day(self.src, "1r50t100s1p125")
        run("--sibling", "r50t75p100", self.src, self.out, "1")
        # The o100 day is halved; the r50 day, processed after it, keeps every order and courier.
        self.assertLess(len(self.copy("0r50t75s1p100_sib_p1", "orders.txt")), 220)
        self.assertEqual(len(self.copy("1r50t75s1p100_sib_p1", "orders.txt")), 400)
        self.assertEqual(len(self.copy("1r50t75s1p100_sib_p1", "couriers.txt")), 20)

    def test_same_seed_same_copy(self):
        run("--sibling", "r50t75p125", self.src, self.out, "1")
        first = self.copy("0r50t75s1p125_sib_p1", "orders.txt")
        run("--sibling", "r50t75p125", self.src, os.path.join(self.out, "again"), "1")
        self.assertEqual(first, self.copy(os.path.join("again", "0r50t75s1p125_sib_p1"), "orders.txt"))


if __name__ == "__main__":
    unittest.main()
