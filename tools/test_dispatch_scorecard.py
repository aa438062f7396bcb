#!/usr/bin/env python3
"""Tests of tools/dispatch_scorecard.py (run by ctest as `tools_dispatch_scorecard`).

The scorecards of docs/dispatch.md count, instance by instance, where slack meets issue 7's goal
against greedy; these check the rows an instance counts in (families of perturbed copies, axes of
the benchmark's labels) and the counts on a crafted table whose answers are known.
"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch_scorecard as sc  # noqa: E402  (the tool lives beside this test)

PARAMS = ("meters_per_minute\tpickup service minutes\tdropoff service minutes\t"
          "target click-to-door\tmaximum click-to-door\tpay per order\tguaranteed pay per hour\n"
          "320\t4\t4\t40\t90\t10\t15\n")


def write_instance(root, name):
    """Ten orders of one restaurant at the courier's start, each 640 m (2 minutes) from it,
    ready 10 minutes after placement: every click-to-door bound is 10 + 2 + 2 + 2 = 16."""
    d = os.path.join(root, name)
    os.makedirs(d)
    files = {
        "instance_parameters.txt": PARAMS,
        "restaurants.txt": "restaurant\tx\ty\nr1\t0\t0\n",
        "couriers.txt": "courier\tx\ty\ton_time\toff_time\nc1\t0\t0\t0\t600\n",
        "orders.txt": "order\tx\ty\tplacement_time\trestaurant\tready_time\n" + "".join(
            f"o{i}\t640\t0\t{10 * i}\tr1\t{10 * i + 10}\n" for i in range(10)),
    }
    for f, text in files.items():
        with open(os.path.join(d, f), "w") as out:
            out.write(text)


def table_row(name, policy, delivered, mean, p90, cost, payment=None, orders=10):
    # The columns of tools/dispatch_table.sh: instance policy feas delivered c2d_mean c2d_p50
    # c2d_p90 c2d_max overage r2d r2p util bundle cost/ord ms payment (older tables end at ms)
    return (f"{name} {policy} yes {delivered}/{orders} {mean} 16.00 {p90} 20.00 0.00 6.00 0.00 "
            f"0.500 1.000 {cost} 5" + ("" if payment is None else f" {payment}") + "\n")


class GroupTest(unittest.TestCase):
    def test_copies_of_a_day_are_one_family(self):
        self.assertEqual(sc.group("0o50t75s1p125_sib_p3", None), "0o50t75s1p125_sib")
        self.assertEqual(sc.group("1r50t100s1p125_p12", None), "1r50t100s1p125")
        self.assertEqual(sc.group("1r50t100s1p125", None), "1r50t100s1p125")

    def test_axes_of_benchmark_labels(self):
        name = "7r50t75s2p125"
        self.assertEqual([sc.group(name, a) for a in sc.AXES],
                         ["seed 7", "r50", "t75", "s2", "p125"])
        self.assertEqual(sc.group("12o100t100s1p100", "seed"), "seed 12")

    def test_names_without_a_label_keep_their_family(self):
        self.assertEqual(sc.group("0o50t75s1p125_sib_p3", "size"), "0o50t75s1p125_sib")
        self.assertEqual(sc.group("city_p2", "seed"), "city")


class CountTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "set")
        self.table = os.path.join(self.tmp.name, "set.tab")
        rows = []
        # a: slack better on everything.
        # b: p90 tied at the floor of 16, cost not better: every goal but cost.
        # c: p90 tied above the floor, all else better.
        # d: one order lost, all else better.
        # e: cost per order tied in the cost column (three decimals) but lower by payment /
        #    delivered (5961.25 / 592 = 10.06968 against 5931.25 / 589 = 10.07003).
        for name, greedy, slack in (
                ("0o100t100s1p100", (10, 20.0, 24.0, 10.5), (10, 18.0, 20.0, 10.2)),
                ("0o50t100s1p100", (10, 17.0, 16.0, 10.2), (10, 16.5, 16.0, 10.3)),
                ("1o50t100s2p125", (10, 20.0, 22.0, 10.5), (10, 19.0, 22.0, 10.1)),
                ("1r50t100s2p125", (10, 20.0, 22.0, 10.5), (9, 19.0, 21.0, 10.1))):
            write_instance(self.dir, name)
            rows.append(table_row(name, "greedy", *greedy))
            rows.append(table_row(name, "slack", *slack))
        write_instance(self.dir, "2o50t75s2p125")
        rows.append(table_row("2o50t75s2p125", "greedy", 589, 20.0, 24.0, "10.070", "5931.25", 592))
        rows.append(table_row("2o50t75s2p125", "slack", 592, 18.0, 20.0, "10.070", "5961.25", 592))
        with open(self.table, "w") as f:
            f.write("instance policy feas ...\n" + "".join(rows))

    def tearDown(self):
        self.tmp.cleanup()

    def scorecard(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            sc.main([*args, f"{self.dir}:{self.table}"])
        rows = {}
        for line in out.getvalue().splitlines()[2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0]] = dict(zip(sc.COLUMNS, map(int, cells[1:])))
        return out.getvalue().splitlines()[0], rows

    def test_floor_is_the_bound_of_every_order(self):
        f = sc.floors(os.path.join(self.dir, "0o100t100s1p100"))
        self.assertEqual((f.p90, f.pay_per_order, f.lost, f.mean), (16.0, 10.0, 0, 16.0))

    def test_cost_floor_is_the_guarantee_when_it_exceeds_pay_per_order(self):
        # One courier on for 10 hours at 15 an hour is paid 150 whatever it does; the ten
        # orders it can deliver earn 100 at 10 each, so no solution costs under 15 per order.
        self.assertEqual(sc.floors(os.path.join(self.dir, "0o100t100s1p100")).cost, 15.0)

    def test_headroom_averages_each_policy_and_the_floor(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            sc.main(["--headroom", "--by", "seed", f"{self.dir}:{self.table}"])
        lines = out.getvalue().splitlines()
        header = lines.index("| seed | instances | " + " | ".join(sc.HEADROOM) + " |")
        rows = {cells[0]: cells[1:] for cells in (
            [c.strip() for c in line.strip("|").split("|")] for line in lines[header + 2:])}
        # seed 0: greedy means 20 and 17, slack 18 and 16.5, every bound 16.
        self.assertEqual(rows["seed 0"][:4], ["2", "18.50", "17.25", "16.00"])
        # all five: greedy p90 (24 + 16 + 22 + 22 + 24) / 5, slack cost (10.2 + 10.3 + 10.1 +
        # 10.1 + 5961.25 / 592) / 5.
        self.assertEqual(rows["**all**"][0], "5")
        self.assertEqual(rows["**all**"][4], "21.60")
        self.assertEqual(rows["**all**"][8], f"{(40.7 + 5961.25 / 592) / 5:.4f}")
        self.assertEqual(rows["**all**"][9], "15.0000")

    def test_counts_per_instance(self):
        _, rows = self.scorecard()
        self.assertEqual(rows["0o100t100s1p100"]["every goal met"], 1)
        b = rows["0o50t100s1p100"]
        self.assertEqual((b["p90 tie at floor"], b["cost better"], b["every goal met"]), (1, 0, 0))
        c = rows["1o50t100s2p125"]
        self.assertEqual((c["all delivered"], c["p90 tie above floor"], c["every goal met"]),
                         (1, 1, 0))
        d = rows["1r50t100s2p125"]
        self.assertEqual((d["all delivered"], d["p90 better"], d["every goal met"]), (0, 1, 0))
        e = rows["2o50t75s2p125"]
        self.assertEqual((e["cost better"], e["every goal met"]), (1, 1))
        self.assertEqual(rows["**all**"]["instances"], 5)
        self.assertEqual(rows["**all**"]["mean better"], 5)

    def test_rows_by_axis(self):
        header, rows = self.scorecard("--by", "size")
        self.assertTrue(header.startswith("| size |"))
        self.assertEqual(rows["o100"]["instances"], 1)
        self.assertEqual((rows["o50"]["instances"], rows["r50"]["instances"]), (3, 1))
        self.assertEqual(rows["o50"]["cost better"], 2)
        _, rows = self.scorecard("--by", "seed")
        self.assertEqual((rows["seed 0"]["instances"], rows["seed 1"]["instances"]), (2, 2))

    def test_misses_name_what_each_instance_misses(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            sc.main(["--misses", "--by", "seed", f"{self.dir}:{self.table}"])
        text = out.getvalue()
        self.assertIn("| seed 0 |", text)  # the table still comes first
        misses = [line for line in text.splitlines() if line.startswith("- ")]
        self.assertEqual(misses, [
            "- 0o50t100s1p100: cost 10.3000 / 10.2000",
            "- 1o50t100s2p125: p90 22.0 / 22.0 (floor 16.0)",
            "- 1r50t100s2p125: 1 reachable lost",
        ])
        self.assertIn("Not every goal met (3;", text)

    def test_unknown_axis_is_refused(self):
        with self.assertRaises(SystemExit):
            sc.main(["--by", "weather", f"{self.dir}:{self.table}"])


if __name__ == "__main__":
    unittest.main()
