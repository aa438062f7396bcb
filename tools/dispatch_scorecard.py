#!/usr/bin/env python3
"""Per-instance scorecard of the slack policy against greedy: issue 7's goal, counted instance by
instance instead of averaged over a family.

usage: tools/dispatch_scorecard.py [--misses] [--headroom] [--by AXIS] INSTANCES_DIR:TABLE [...]
  TABLE          the output of tools/dispatch_table.sh INSTANCES_DIR (both policies' rows)
  INSTANCES_DIR  where that table's instances are (for each order's click-to-door floor)
  --misses       after the table, list every instance that misses a goal, and what it misses
  --headroom     then a table of averages per row: click-to-door mean, p90 and cost per order of
                 greedy, of slack and of the floor no solution delivering every order goes below
  --by AXIS      one row per value of an axis of the benchmark's labels instead of per family:
                 seed (the day), size (o100 / o50 / r50), travel (t100 / t75), schedule (s1 / s2)
                 or prep (p100 / p125); e.g. for the benchmark's 240 public instances. Names
                 without such a label keep their family row.

Prints one Markdown row per family (copies <day>_<tag>_p<k> of tools/perturb_mdrp.py are one
family; a real day is its own) with the number of instances where slack is feasible, delivers
every order, and is strictly better than greedy on click-to-door mean, p90 and cost per order;
the last column counts the instances where all of it holds at once, excusing only what no policy
could do better (orders out of every solution's reach, a p90 tie at the floor, greedy's cost at
the floor).

An order no courier could ever pick up before its off-time, even with nothing else to do, is
not held against either policy in "all reachable delivered" (no feasible solution can deliver
it, e.g. one ready after the last courier has gone; tools/mdrp_offline.py's pickup_times(),
the first part of its --bound); nor are the orders of one courier's reach that it could not
all deliver (exclusive_shortfall(), the third part: e.g. two orders ready just before the last
courier leaves, at restaurants too far apart for both pickups).

A p90 tie is split by whether greedy's p90 is at the instance's floor: every order's pickup is
no earlier than its ready time, than its placement + pickup_service/2, and than the earliest
minute some courier could be at the restaurant (on-time + direct ride from its start +
pickup_service/2, no later than its off-time); its click-to-door is at least that pickup +
pickup_service/2 + ride restaurant -> customer + dropoff_service/2 - placement, and the p90 of
any solution delivering every order is at least the p90 of those bounds (docs/dispatch.md), so
at the floor a tie is the best any policy can do. Cost per order is compared as payment / orders
delivered when the table has the payment column (the cost column's three decimals can tie two
different costs), and split the same way where greedy is within 0.01 of the floor of pay per
order (every courier above its guarantee).
"""
import collections
import fractions
import os
import re
import sys

from mdrp_offline import (exclusive_shortfall, load_instance, pickup_times, read_table,
                          sole_courier_orders, travel)


def percentile(values, q):
    """pandas' / numpy's default (linear interpolation between order statistics)."""
    v = sorted(values)
    h = (len(v) - 1) * q / 100.0
    i = int(h)
    upper = v[i + 1] if i + 1 < len(v) else v[i]
    return v[i] + (h - i) * (upper - v[i])


Floors = collections.namedtuple('Floors', 'p90 pay_per_order lost mean cost')


def floors(instance):
    """Floors of one instance directory: p90 of the click-to-door bounds; pay per order; orders
    every solution loses (out of every courier's reach, or beyond what the one courier who can
    reach them can deliver); mean of the bounds (no solution delivering every order has a lower
    click-to-door mean); and cost per order no solution goes below, max(pay per order, the
    couriers' guaranteed pay / the orders it could deliver): everyone is paid at least its
    guarantee and at least pay per order for each order."""
    speed, hp, hd, rest, couriers, orders = load_instance(instance)
    parameters = read_table(instance, 'instance_parameters.txt')[0]
    pay_per_order, pay_per_hour = float(parameters[5]), float(parameters[6])
    ride = travel(speed)
    bounds, unreachable = [], 0
    times_of = [(o, pickup_times(o, rest, couriers, ride, hp)) for o in orders]
    for o, times in times_of:
        rx, ry = rest[o[4]]
        placed = int(o[3])
        # No pickup before the food is ready, before half the pickup service has passed since the
        # placement, or before some courier could be there at all (its on-time + the direct ride
        # from its start: no route is shorter; mdrp_offline.pickup_times); an order no courier
        # can reach before its off-time keeps the first two.
        if times:
            pickup_at = min(t for _, t in times)
        else:
            unreachable += 1
            pickup_at = max(int(o[5]), placed + hp)
        bounds.append(pickup_at + hp + ride(rx, ry, float(o[1]), float(o[2])) + hd - placed)
    lost = exclusive_shortfall(sole_courier_orders(times_of), rest, couriers, ride, hp, hd)
    guaranteed = sum(pay_per_hour * (off - on) / 60.0 for _, _, on, off in couriers)
    deliverable = len(orders) - unreachable - lost
    cost = max(pay_per_order, guaranteed / deliverable) if deliverable else float('inf')
    return Floors(percentile(bounds, 90), pay_per_order, unreachable + lost,
                  sum(bounds) / len(bounds) if bounds else 0.0, cost)


def table(path):
    """{instance: {policy: figures}} from a dispatch_table.sh output."""
    out = {}
    with open(path) as f:
        for line in f:
            f_ = line.split()
            if len(f_) < 14 or f_[1] not in ('greedy', 'slack') or '/' not in f_[3]:
                continue
            delivered, orders = map(int, f_[3].split('/'))
            # Cost per order as payment / delivered when the table has the payment (its last
            # column): the cost column's three decimals can make two different costs look tied.
            # (A day with nothing delivered keeps the column's value, which may be inf or nan.)
            cost = (fractions.Fraction(f_[15]) / delivered if len(f_) > 15 and delivered
                    else float(f_[13]))
            out.setdefault(f_[0], {})[f_[1]] = dict(
                feasible=f_[2] == 'yes', delivered=delivered, orders=orders,
                mean=float(f_[4]), p90=float(f_[6]), cost=cost)
    return out


def family(name):
    head, sep, tail = name.rpartition('_p')
    return head if sep and tail.isdigit() else name


# grubhub/mdrplib's instance labels: seed day, size, travel, schedule, preparation.
LABEL = re.compile(r'^(?P<seed>\d+)(?P<size>o100|o50|r50)(?P<travel>t100|t75)(?P<schedule>s1|s2)'
                   r'(?P<prep>p100|p125)$')
AXES = ('seed', 'size', 'travel', 'schedule', 'prep')


def group(name, axis):
    """The row an instance counts in: its family, or with an axis its label's value there."""
    m = LABEL.match(name) if axis else None
    if not m:
        return family(name)
    return f'seed {m[axis]}' if axis == 'seed' else m[axis]


COLUMNS = ['instances', 'feasible', 'all delivered', 'greedy all delivered',
           'all reachable delivered', 'greedy all reachable delivered', 'mean better',
           'p90 better', 'p90 tie at floor', 'p90 tie above floor', 'p90 worse, greedy at floor',
           'p90 worse', 'cost better', 'cost not better, greedy at floor', 'every goal met']


def main(args):
    axis = None
    list_misses = args[:1] == ['--misses']
    if list_misses:
        args = args[1:]
    headroom = args[:1] == ['--headroom']
    if headroom:
        args = args[1:]
    misses, sums = [], collections.OrderedDict()
    if args[:1] == ['--by']:
        if len(args) < 2 or args[1] not in AXES:
            sys.exit(__doc__)
        axis, args = args[1], args[2:]
    if not args or any(':' not in a for a in args):
        sys.exit(__doc__)
    families = collections.OrderedDict()
    for arg in args:
        instances, path = arg.split(':', 1)
        for name, by_policy in sorted(table(path).items()):
            if 'greedy' not in by_policy or 'slack' not in by_policy:
                continue
            g, s = by_policy['greedy'], by_policy['slack']
            f = floors(os.path.join(instances, name))
            p90_floor, pay_per_order, unreachable = f.p90, f.pay_per_order, f.lost
            row = group(name, axis)
            if headroom:
                h = sums.setdefault(row, collections.Counter())
                h['instances'] += 1
                figures = {'greedy': g, 'slack': s, 'floor': f._asdict()}
                for key in HEADROOM:
                    what, figure = key.split()
                    h[key] += float(figures[what][figure])
            servable = s['orders'] - unreachable
            c = families.setdefault(row, collections.Counter())
            c['instances'] += 1
            c['feasible'] += s['feasible']
            c['all delivered'] += s['delivered'] == s['orders']
            c['greedy all delivered'] += g['delivered'] == g['orders']
            c['all reachable delivered'] += s['delivered'] == servable
            c['greedy all reachable delivered'] += g['delivered'] == servable
            c['mean better'] += s['mean'] < g['mean']
            greedy_at_floor = abs(g['p90'] - p90_floor) < 1e-9
            if s['p90'] < g['p90']:
                c['p90 better'] += 1
            elif s['p90'] == g['p90']:
                c['p90 tie at floor' if greedy_at_floor else 'p90 tie above floor'] += 1
            else:
                c['p90 worse, greedy at floor' if greedy_at_floor else 'p90 worse'] += 1
            greedy_cost_at_floor = g['cost'] <= pay_per_order + 0.0105
            if s['cost'] < g['cost']:
                c['cost better'] += 1
            elif greedy_cost_at_floor:
                c['cost not better, greedy at floor'] += 1
            # The whole goal, excusing only what no policy could do better: orders out of every
            # solution's reach, a p90 tie at the floor, greedy's cost at the floor.
            missed = [what for what, met in (
                ('feasible', s['feasible']),
                (f"{servable - s['delivered']} reachable lost", s['delivered'] == servable),
                (f"mean {s['mean']:.2f} / {g['mean']:.2f}", s['mean'] < g['mean']),
                (f"p90 {s['p90']:.1f} / {g['p90']:.1f} (floor {p90_floor:.1f})",
                 s['p90'] < g['p90'] or (s['p90'] == g['p90'] and greedy_at_floor)),
                (f"cost {float(s['cost']):.4f} / {float(g['cost']):.4f}",
                 s['cost'] < g['cost'] or greedy_cost_at_floor)) if not met]
            c['every goal met'] += not missed
            if missed and list_misses:
                misses.append(f"{name}: " + ', '.join(missed))
    print(f"| {axis or 'family'} | " + ' | '.join(COLUMNS) + ' |')
    print('|---' * (len(COLUMNS) + 1) + '|')
    total = collections.Counter()
    for name, c in families.items():
        print(f'| {name} | ' + ' | '.join(str(c[k]) for k in COLUMNS) + ' |')
        total.update(c)
    print('| **all** | ' + ' | '.join(str(total[k]) for k in COLUMNS) + ' |')
    if list_misses:
        print(f'\nNot every goal met ({len(misses)}; slack / greedy):')
        for line in misses:
            print(f'- {line}')
    if headroom:
        print_headroom(sums, axis)


HEADROOM = [f'{what} {figure}' for figure in ('mean', 'p90', 'cost')
            for what in ('greedy', 'slack', 'floor')]


def print_headroom(sums, axis):
    """Averages over each row's instances of greedy's, slack's and the floor's click-to-door
    mean and p90 and cost per order (floors())."""
    print(f"\n| {axis or 'family'} | instances | " + ' | '.join(HEADROOM) + ' |')
    print('|---' * (len(HEADROOM) + 2) + '|')
    total = collections.Counter()
    for name, h in list(sums.items()) + [('**all**', total)]:
        n = h['instances']
        print(f'| {name} | {n} | ' + ' | '.join(
            f"{h[k] / n:.{4 if k.endswith('cost') else 2}f}" for k in HEADROOM) + ' |')
        if name != '**all**':
            total.update(h)


if __name__ == '__main__':
    main(sys.argv[1:])
