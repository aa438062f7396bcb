#!/usr/bin/env python3
"""Tests of tools/dispatch_vs_external.py (run by ctest as `tools_dispatch_vs_external`).

The comparison of docs/dispatch.md ("Against a public rolling-horizon implementation") reads the
public evaluator's performance files of another solver; these check what is read from one (the
evaluator's real output for a 505-order day) and the rows, averages and wins on a crafted table.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch_vs_external as vs  # noqa: E402  (the tool lives beside this test)

# The public evaluator's solution_performance.txt as it prints it (first two tables).
PERFORMANCE = """number of orders delivered: 501 out of 505
total payment: 5950.50
proportion of couriers receiving minimum guaranteed compensation: 0.35


       click-to-door  ready-to-door  ready-to-pickup  click-to-door overage
count         501.00         501.00           501.00                 501.00
mean           33.57          16.45             5.05                   1.65
std             9.41           6.06             4.58                   3.83
min            14.00           5.00             0.00                   0.00
10%            23.00           9.00             0.00                   0.00
50%            32.00          16.00             4.00                   0.00
90%            48.00          24.00            11.00                   8.00
max            65.00          46.00            27.00                  25.00


       orders_per_hour  bundles_per_hour  utilization  guaranteed_earnings  order_earnings  payment
count           113.00            113.00       113.00               113.00          113.00   113.00
mean              1.63              1.63         0.58                40.22           44.34    52.66
"""


def table_row(name, policy, delivered, orders, mean, p90, payment):
    # tools/dispatch_table.sh's columns: instance policy feas delivered c2d_mean c2d_p50 c2d_p90
    # c2d_max overage r2d r2p util bundle cost/ord ms payment
    return (f"{name} {policy} yes {delivered}/{orders} {mean} 30.00 {p90} 80.00 1.00 15.00 2.00 "
            f"0.700 1.000 10.000 20 {payment}\n")


class ReadTest(unittest.TestCase):
    def test_reads_the_evaluators_figures(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "solution_performance.txt")
            with open(path, "w") as f:
                f.write(PERFORMANCE)
            got = vs.read_performance(path)
        self.assertEqual((got.delivered, got.orders, got.mean, got.p90), (501, 505, 33.57, 48.0))
        self.assertAlmostEqual(got.cost, 5950.50 / 501)

    def test_refuses_other_files(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "solution_performance.txt")
            with open(path, "w") as f:
                f.write("FEASIBLE\n")
            with self.assertRaises(ValueError):
                vs.read_performance(path)


class CompareTest(unittest.TestCase):
    def run_compare(self, table_text, run="f5d10b10g10x25o1000c0"):
        with tempfile.TemporaryDirectory() as root:
            for inst in ("0o100t100s1p100", "9o100t75s1p100"):
                os.makedirs(os.path.join(root, inst))
                with open(os.path.join(root, inst, f"solution_performance_Asus_{run}.txt"),
                          "w") as f:
                    f.write(PERFORMANCE)
            # another setting of the same day is not the default run and must not count
            with open(os.path.join(root, "0o100t100s1p100",
                                   "solution_performance_Asus_f5d30b10g10x25o1000c0.txt"),
                      "w") as f:
                f.write(PERFORMANCE.replace("mean           33.57", "mean           20.00"))
            table = os.path.join(root, "table.txt")
            with open(table, "w") as f:
                f.write(table_text)
            return vs.compare(vs.external_runs(root, run), vs.read_table(table))

    def test_rows_averages_and_wins(self):
        out = self.run_compare(
            table_row("0o100t100s1p100", "greedy", 505, 505, 32.04, 43.00, 5290.00)
            + table_row("0o100t100s1p100", "slack", 505, 505, 29.83, 42.00, 5175.75)
            # slack only ties the other solver's p90 here (48): no win
            + table_row("9o100t75s1p100", "greedy", 505, 505, 40.00, 60.00, 5290.00)
            + table_row("9o100t75s1p100", "slack", 505, 505, 30.00, 48.00, 5175.75))
        self.assertIn("| 0o100t100s1p100 | 505 | 501 / 505 / 505 | 33.57 / 29.83 / 32.04 | "
                      "48.0 / 42.0 / 43.0 | 11.877 / 10.249 / 10.475 |", out)
        self.assertIn("2 instances (other / slack / greedy): orders lost 8 / 0 / 0, mean "
                      "33.57 / 29.91 / 36.02, p90 48.00 / 45.00 / 51.50, cost per order "
                      "11.8772 / 10.2490 / 10.4752", out)
        self.assertEqual(out[-1], "slack delivers at least as many and is better on mean, p90 "
                                  "and cost on 1 of 2")

    def test_instances_missing_from_the_table_are_left_out(self):
        out = self.run_compare(table_row("0o100t100s1p100", "slack", 505, 505, 29.83, 42.00,
                                         5175.75))
        self.assertEqual(out[-1], "no instance in both")


class UsageTest(unittest.TestCase):
    def test_run_without_its_text_prints_the_usage(self):
        with self.assertRaises(SystemExit) as exit_:
            vs.main(["data", "table.txt", "--run"])
        self.assertEqual(exit_.exception.code, vs.__doc__)


if __name__ == "__main__":
    unittest.main()
