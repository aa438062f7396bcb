#!/usr/bin/env python3
"""Slack and greedy against another solver's results, scored by the benchmark's public evaluator.

usage: dispatch_vs_external.py EXTERNAL_DIR TABLE [--run PATTERN]

  EXTERNAL_DIR  one directory per instance, each holding the public evaluator's
                `solution_performance*.txt` of that solver's runs (e.g. the `data/` directory of
                spencerkmarley/smu-cs606-meal-delivery-routing-problem)
  TABLE         tools/dispatch_table.sh's output on the same instances
  --run         text the run's file name must contain (default f5d10b10g10x25o1000c0, that
                repository's default setting); of several matching files the first by name counts

Prints one markdown row per instance both sides have (delivered, click-to-door mean and p90,
cost per order = payment / delivered, other solver / slack / greedy), the averages and on how
many instances slack delivers at least as many orders and is better on mean, p90 and cost.
"""
import os
import re
import sys
from collections import namedtuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dispatch_scorecard as sc  # noqa: E402  (the table reader beside this tool)

Figures = namedtuple("Figures", "delivered orders mean p90 cost")


def read_performance(path):
    """Delivered, orders, click-to-door mean and 90 % and cost per order from the evaluator's
    `solution_performance.txt` (its first table's `mean` and `90%` rows, first column)."""
    with open(path) as f:
        text = f.read()
    done = re.search(r"number of orders delivered:\s*(\d+)\s+out of\s+(\d+)", text)
    pay = re.search(r"total payment:\s*([\d.]+)", text)
    mean = re.search(r"^mean\s+([\d.]+)", text, re.M)
    p90 = re.search(r"^90%\s+([\d.]+)", text, re.M)
    if not (done and pay and mean and p90):
        raise ValueError(f"{path}: not a solution_performance file of the public evaluator")
    delivered = int(done.group(1))
    return Figures(delivered, int(done.group(2)), float(mean.group(1)), float(p90.group(1)),
                   float(pay.group(1)) / delivered if delivered else float("inf"))


def read_table(path):
    """{(instance, policy): Figures} from dispatch_table.sh's output, as the scorecard reads it."""
    return {(name, policy): Figures(f["delivered"], f["orders"], f["mean"], f["p90"],
                                    float(f["cost"]))
            for name, policies in sc.table(path).items() for policy, f in policies.items()}


def external_runs(root, run):
    """{instance: Figures} of the first file by name whose name contains `run`."""
    found = {}
    for inst in sorted(os.listdir(root)):
        d = os.path.join(root, inst)
        if not os.path.isdir(d):
            continue
        names = sorted(n for n in os.listdir(d)
                       if n.startswith("solution_performance") and run in n)
        if names:
            found[inst] = read_performance(os.path.join(d, names[0]))
    return found


def compare(external, table):
    """Markdown lines: the table, averages, and slack's wins over the other solver."""
    rows = [(i, e, table[(i, "slack")], table[(i, "greedy")]) for i, e in sorted(external.items())
            if (i, "slack") in table and (i, "greedy") in table]
    out = ["| instance | orders | delivered other / slack / greedy | c2d mean other / slack / "
           "greedy | p90 other / slack / greedy | cost per order other / slack / greedy |",
           "|---|---|---|---|---|---|"]
    for i, e, s, g in rows:
        out.append(f"| {i} | {e.orders} | {e.delivered} / {s.delivered} / {g.delivered} | "
                   f"{e.mean:.2f} / {s.mean:.2f} / {g.mean:.2f} | {e.p90:.1f} / {s.p90:.1f} / "
                   f"{g.p90:.1f} | {e.cost:.3f} / {s.cost:.3f} / {g.cost:.3f} |")
    if not rows:
        return out + ["", "no instance in both"]
    n = len(rows)

    def avg(k, field):
        return sum(getattr(r[k], field) for r in rows) / n

    lost = [sum(r[k].orders - r[k].delivered for r in rows) for k in (1, 2, 3)]
    wins = sum(s.delivered >= e.delivered and s.mean < e.mean and s.p90 < e.p90 and s.cost < e.cost
               for _, e, s, _ in rows)
    out += ["", f"{n} instances (other / slack / greedy): orders lost {lost[0]} / {lost[1]} / "
                f"{lost[2]}, mean {avg(1, 'mean'):.2f} / {avg(2, 'mean'):.2f} / "
                f"{avg(3, 'mean'):.2f}, p90 {avg(1, 'p90'):.2f} / {avg(2, 'p90'):.2f} / "
                f"{avg(3, 'p90'):.2f}, cost per order {avg(1, 'cost'):.4f} / "
                f"{avg(2, 'cost'):.4f} / {avg(3, 'cost'):.4f}",
            f"slack delivers at least as many and is better on mean, p90 and cost on {wins} of {n}"]
    return out


def main(argv):
    run = "f5d10b10g10x25o1000c0"
    if "--run" in argv:
        k = argv.index("--run")
        if k + 1 >= len(argv):
            sys.exit(__doc__)
        run = argv[k + 1]
        argv = argv[:k] + argv[k + 2:]
    if len(argv) != 2:
        sys.exit(__doc__)
    print("\n".join(compare(external_runs(argv[0], run), read_table(argv[1]))))


if __name__ == "__main__":
    main(sys.argv[1:])
