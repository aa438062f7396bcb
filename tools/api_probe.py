#!/usr/bin/env python3
"""Hostile-input probe of a running swifteats: no route may answer 5xx or a bare error.

Reads the routes from the server's index (GET /), makes its own fixtures through the API with an
admin token (a restaurant open around the clock, a category, an item, a staff account bound to the
restaurant, a customer and an order), then sends every route, as admin, staff and customer:
  - a valid body with one field at a time left out, or replaced by odd text (NUL, a
    non-character, emoji, a right-to-left override, SQL, 100,000 bytes, empty) or an odd number
    (1e308, -0, 2^63, 2^64, a boolean, null, a string, a list, an object);
  - bad header bytes (obs-text in Authorization, If-None-Match, Content-Type, X-Internal-Key and
    Idempotency-Key; a wrong Content-Type);
  - for routes without a body, odd query strings, and where a route reads a query, a valid one
    with each parameter at a time set to odd values (NUL, bytes that are not UTF-8, 1e400, nan,
    2^63, SQL, 5,000 bytes).
Before that, races: 16 identical requests at once must create one account for one email, rotate
one refresh token once, place one order for one Idempotency-Key, and cancel an order once; and
conflicting transitions sent together (staff accepting while the customer cancels; every staff
step of an order at once) must each be taken at most once, answered truthfully and recorded in
the order's history exactly as answered.
Every answer must be below 500 and, when an error, application/problem+json. Routes that change
the fixtures (hours, availability, location, staff bindings, deletion) are restored between
routes, and deletions go last. Exit status 1 lists the offending requests; 0 when none.

usage: tools/api_probe.py --base http://127.0.0.1:8080 --admin-token TOKEN [--seed N]
The server should run with --rate-limits off (otherwise 429s hide the deeper paths).
"""
import argparse
import json
import random
import socket
import sys
import threading
import urllib.parse
import uuid

ALWAYS_OPEN = {d: [["00:00", "00:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ODD_TEXT = ["\u0000", "\uffff", "\U0001F355" * 50, "\u202e", "' OR 1=1 --", "%00", "\\",
            "x" * 100000, "", " ", "\u00e9" * 300]
ODD_NUMBERS = [1e308, -1e308, -0.0, 1e-320, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 0.5, -1, True,
               None, "1", [], {}]
BAD_HEADERS = [("Authorization", b"Bearer \xff\xfe"), ("If-None-Match", b'"\xff"'),
               ("Content-Type", b"application/json\xff"), ("X-Internal-Key", b"\xff"),
               ("Idempotency-Key", b"\xc3\xa9"), ("Content-Type", b"text/plain")]
ODD_QUERIES = [b"?x=%00", b"?limit=%FF", b"?limit=-1", b"?cursor=%C3%A9", b"?status=%00",
               b"?limit=1&limit=2"]
# Routes whose queries go deeper: a valid query, then each parameter at a time set to odd values.
VALID_QUERIES = {
    ("GET", "/restaurants"): {"lat": "12.97", "lng": "77.59", "radius_m": "3000",
                              "cuisine": "thai", "open_now": "true", "limit": "5"},
    ("GET", "/orders"): {"limit": "5"},
    ("GET", "/restaurants/{id}/orders"): {"status": "confirmed,accepted", "limit": "5"},
}
ODD_QUERY_VALUES = ["", "%00", "%FF", "%C3%A9", "-1", "0", "1e400", "nan", "inf", "-0",
                    "9223372036854775808", "%27%20OR%201%3D1", "a" * 5000, ",,,", "true%00"]


class Client:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80

    def send(self, method, path, body=b"", headers=None):
        """Raw HTTP/1.1 so that header bytes go out exactly as given."""
        req = method.encode() + b" " + path + b" HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n"
        for k, v in (headers or {}).items():
            req += k.encode() + b": " + v + b"\r\n"
        req += b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        with socket.create_connection((self.host, self.port), timeout=30) as s:
            s.sendall(req)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        head, _, payload = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
        return status, head.lower(), payload

    def json(self, method, path, body=None, token=None, expect=None):
        headers = {"Content-Type": b"application/json"}
        if token:
            headers["Authorization"] = b"Bearer " + token.encode()
        if method == "POST" and path == "/orders":
            headers["Idempotency-Key"] = uuid.uuid4().hex.encode()
        status, _, payload = self.send(method, path.encode(),
                                       json.dumps(body).encode() if body is not None else b"",
                                       headers)
        if expect and status not in expect:
            sys.exit(f"api_probe: fixture {method} {path} answered {status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None


def make_fixtures(c, admin):
    tag = uuid.uuid4().hex[:8]
    r = c.json("POST", "/restaurants", {"name": "Probe " + tag, "cuisine": "thai", "lat": 12.97,
                                        "lng": 77.59, "hours": ALWAYS_OPEN}, admin, {201})["id"]
    c.json("POST", f"/restaurants/{r}/categories", {"name": "Mains", "position": 1}, admin, {201})
    item = c.json("POST", f"/restaurants/{r}/items",
                  {"name": "Curry", "price_cents": 1000, "kind": "made_to_order"}, admin,
                  {201})["id"]
    staff_pw, cust_pw = "probe-staff-pw-1", "probe-customer-pw-1"
    staff = c.json("POST", "/admin/accounts",
                   {"email": f"staff-{tag}@probe.test", "password": staff_pw,
                    "role": "restaurant_staff", "restaurant_ids": [r]}, admin, {201})["id"]
    c.json("POST", "/auth/register", {"email": f"cust-{tag}@probe.test", "password": cust_pw,
                                      "name": "Probe"}, None, {202})
    tokens = {"admin": admin}
    for who, email, pw in (("staff", f"staff-{tag}@probe.test", staff_pw),
                           ("customer", f"cust-{tag}@probe.test", cust_pw)):
        tokens[who] = c.json("POST", "/auth/login", {"email": email, "password": pw}, None,
                             {200})["access_token"]
    customer = c.json("GET", "/customers/me", None, tokens["customer"], {200})["id"]
    order_body = {"restaurant_id": r, "items": [{"food_item_id": item, "quantity": 1}],
                  "delivery_address": "1 Probe Road",
                  "delivery_point": {"lat": 12.975, "lng": 77.6}}
    order = c.json("POST", "/orders", order_body, tokens["customer"], {201, 402})["id"]
    ids = {"restaurant": r, "item": item, "staff": staff, "customer": customer, "order": order,
           "charge": str(uuid.uuid4())}
    return ids, tokens, order_body


def fill(path, ids):
    for prefix, key in (("/admin/accounts/{id}", "staff"), ("/customers/{id}", "customer"),
                        ("/drivers/{id}", "customer"), ("/orders/{id}", "order"),
                        ("/payments/charges/{id}", "charge")):
        if path.startswith(prefix):
            path = path.replace("{id}", ids[key], 1)
    return path.replace("{id}", ids["restaurant"]).replace("{item_id}", ids["item"])


def valid_bodies(ids, order_body, tag):
    r = ids["restaurant"]
    return {
        "/auth/register": {"email": f"new-{tag}@probe.test", "password": "probe-password-1",
                           "name": "N", "phone": "+911234567890"},
        "/auth/login": {"email": f"nobody-{tag}@probe.test", "password": "probe-password-1"},
        "/auth/refresh": {"refresh_token": "x"}, "/auth/logout": {"refresh_token": "x"},
        "/admin/accounts": {"email": f"driver-{tag}@probe.test", "password": "probe-password-1",
                            "role": "driver", "display_name": "D", "name": "D", "phone": "1",
                            "vehicle": "bicycle"},
        "/admin/accounts/{id}/restaurants": {"restaurant_ids": [r]},
        "/restaurants": {"name": "N", "cuisine": "thai", "address": "a", "phone": "1",
                         "lat": 12.97, "lng": 77.59, "delivery_radius_m": 3000,
                         "min_order_cents": 0, "delivery_fee_cents": 0, "avg_prep_minutes": 10,
                         "timezone": "Asia/Kolkata", "hours": ALWAYS_OPEN},
        "/restaurants/{id}/categories": {"name": "Cat", "position": 2},
        "/restaurants/{id}/items": {"name": "It", "description": "d", "price_cents": 100,
                                    "kind": "made_to_order", "prep_minutes": 5},
        "/restaurants/{id}/items/{item_id}": {"name": "It2", "price_cents": 120},
        "/restaurants/{id}/items/{item_id}/availability": {"available": True},
        "/restaurants/{id}/hours": {"hours": ALWAYS_OPEN, "timezone": "Asia/Kolkata"},
        "/restaurants/{id}/location": {"lat": 12.97, "lng": 77.59, "address": "addr"},
        "/payments/charges": {"payment_id": ids["charge"], "amount_cents": 100,
                              "currency": "INR", "reference": "r"},
        "/orders": order_body,
        "/orders/{id}/status": {"status": "accepted", "reason": "r"},
        "/orders/{id}/cancel": {"reason": "r"},
    }


def restore(c, ids, admin):
    r = ids["restaurant"]
    c.json("PUT", f"/restaurants/{r}/hours", {"hours": ALWAYS_OPEN, "timezone": "Asia/Kolkata"},
           admin)
    c.json("PUT", f"/restaurants/{r}/location", {"lat": 12.97, "lng": 77.59}, admin)
    c.json("PUT", f"/restaurants/{r}/items/{ids['item']}/availability", {"available": True}, admin)
    c.json("PUT", f"/admin/accounts/{ids['staff']}/restaurants", {"restaurant_ids": [r]}, admin)


def race(n, request):
    """n copies of `request` released together; their (status, payload) answers."""
    return [answer for _, answer in race_all([request] * n)]


def race_all(requests):
    """Every request released together; (index in `requests`, (status, payload)) per answer."""
    answers, lock, start = [], threading.Lock(), threading.Barrier(len(requests))

    def one(i, request):
        start.wait()
        status, _, payload = request()
        with lock:
            answers.append((i, (status, payload)))

    threads = [threading.Thread(target=one, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def history_verdict(name, before, after, won):
    """None when the status history grew by exactly the transitions that were answered as done
    (`won`, in any order the history may have put them), as one unbroken chain of versions."""
    added = after[len(before):]
    if after[:len(before)] != before:
        return f"race {name}: earlier history rewritten"
    prev = before[-1] if before else None
    for h in added:
        if prev and (h.get("from") != prev.get("to") or
                     h.get("version") != prev.get("version") + 1):
            return f"race {name}: history breaks at version {h.get('version')}"
        prev = h
    if sorted(h.get("to") for h in added) != sorted(won):
        return f"race {name}: history added {[h.get('to') for h in added]}, answers said {won}"
    return None


def race_verdict(name, statuses, want_ok, ok_statuses):
    """None when no answer is a 5xx (or none at all) and the count of successes is in want_ok."""
    statuses = sorted(statuses)
    if any(st >= 500 or st == 0 for st in statuses) or \
            sum(st in ok_statuses for st in statuses) not in want_ok:
        return f"race {name}: statuses {statuses}"
    return None


def check_races(c, tokens, order_body, n=16):
    """Concurrent duplicates: each must take effect once. Returns what went wrong."""
    wrong = []

    def post(path, body, token, key=None):
        headers = {"Content-Type": b"application/json"}
        if token:
            headers["Authorization"] = b"Bearer " + token.encode()
        if key:
            headers["Idempotency-Key"] = key.encode()
        return lambda: c.send("POST", path.encode(), json.dumps(body).encode(), headers)

    def judge(name, answers, want_ok, ok_statuses):
        verdict = race_verdict(name, [st for st, _ in answers], want_ok, ok_statuses)
        if verdict:
            wrong.append(verdict)

    tag = uuid.uuid4().hex[:8]
    account = {"email": f"race-{tag}@probe.test", "password": "probe-password-1", "role": "driver"}
    judge("same email", race(n, post("/admin/accounts", account, tokens["admin"])), {1}, {201})

    # One refresh token, spent 16 times at once: one rotation; the rest are reuse (which, by
    # design, also revokes the winner's new token: docs/security.md).
    email, password = f"refresh-{tag}@probe.test", "probe-password-1"
    c.json("POST", "/auth/register", {"email": email, "password": password, "name": "R"}, None,
           {202})
    refresh = c.json("POST", "/auth/login", {"email": email, "password": password}, None,
                     {200})["refresh_token"]
    judge("same refresh token", race(n, post("/auth/refresh", {"refresh_token": refresh}, None)),
          {1}, {200})

    def orders_of_customer():
        return len(c.json("GET", "/orders?limit=100", None, tokens["customer"], {200})["items"])

    before = orders_of_customer()
    answers = race(n, post("/orders", order_body, tokens["customer"], "race-" + tag))
    judge("same idempotency key", answers, range(1, n + 1), {201, 402})
    if orders_of_customer() != before + 1:
        wrong.append(f"race same idempotency key: {orders_of_customer() - before} orders made")

    def confirmed_order():
        for _ in range(5):  # a declined payment (the gateway's failure rate) leaves no order
            status, _, payload = post("/orders", order_body, tokens["customer"],
                                      uuid.uuid4().hex)()
            if status == 201:
                return json.loads(payload)["id"]
        wrong.append("race: no order was confirmed in 5 placements")
        return None

    def history(order):
        o = c.json("GET", f"/orders/{order}", None, tokens["customer"], {200})
        if o["history"] and o["history"][-1].get("to") != o["status"]:
            wrong.append(f"race: order {order} is {o['status']}, its history ends elsewhere")
        return o["history"]

    order = confirmed_order()
    if order:
        judge("cancel", race(n, post(f"/orders/{order}/cancel", {"reason": "r"},
                                     tokens["customer"])), {1}, {200})

    # Conflicting transitions at once: each step is taken at most once, every answer says
    # truthfully whether its step was taken, and the history records exactly those steps.
    def transitions(name, steps):
        order = confirmed_order()
        if not order:
            return
        before = history(order)
        requests, labels = [], []
        for to, who, copies in steps:
            path = f"/orders/{order}/" + ("cancel" if to == "cancelled" else "status")
            body = {"reason": "r"} if to == "cancelled" else {"status": to}
            requests += [post(path, body, tokens[who])] * copies
            labels += [to] * copies
        answers = race_all(requests)
        won = [labels[i] for i, (st, _) in answers if st == 200]
        for to in set(labels):
            judge(f"{name} ({to})", [a for i, a in answers if labels[i] == to], {0, 1}, {200})
        verdict = history_verdict(name, before, history(order), won)
        if verdict:
            wrong.append(verdict)

    # (A request that loses a compare-and-set is refused, not retried, so even the cancellations
    # may all lose; what must hold is that the answers and the history agree.)
    transitions("accept against cancel", [("accepted", "staff", n // 2),
                                          ("cancelled", "customer", n // 2)])
    transitions("steps at once", [("accepted", "staff", n // 4), ("preparing", "staff", n // 4),
                                  ("ready_for_pickup", "staff", n // 4),
                                  ("cancelled", "staff", n // 4)])
    return wrong


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--admin-token", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    c = Client(args.base)
    rnd = random.Random(args.seed)
    ids, tokens, order_body = make_fixtures(c, args.admin_token)
    bodies = valid_bodies(ids, order_body, uuid.uuid4().hex[:8])
    routes = [(r["method"], r["path"]) for r in c.json("GET", "/", expect={200})["routes"]]
    routes.sort(key=lambda mp: mp[0] == "DELETE")  # stable: deletions last
    bad = check_races(c, tokens, order_body)
    sent = 0

    def check(desc, status, head, payload):
        nonlocal sent
        sent += 1
        if status == 0 or status >= 500 or (
                status >= 400 and b"content-type: application/problem+json" not in head):
            bad.append(f"{status} {desc}: {payload[:200]!r}")

    for method, template in routes:
        restore(c, ids, args.admin_token)
        path = fill(template, ids).encode()
        base = bodies.get(template)
        for who, token in tokens.items():
            headers = {"Authorization": b"Bearer " + token.encode(),
                       "Content-Type": b"application/json", "X-Internal-Key": b"probe"}
            for name, value in BAD_HEADERS:
                h = dict(headers, **{"Idempotency-Key": str(rnd.random()).encode()})
                h[name] = value
                body = json.dumps(base).encode() if base else b""
                check(f"{who} {method} {template} {name}={value!r}",
                      *c.send(method, path, body, h))
            if base is None:
                queries = list(ODD_QUERIES)
                valid = VALID_QUERIES.get((method, template), {})
                for name in valid:
                    for odd in ODD_QUERY_VALUES:
                        q = dict(valid, **{name: odd})
                        queries.append(b"?" + "&".join(f"{k}={v}" for k, v in q.items()).encode())
                for q in queries:
                    check(f"{who} {method} {template}{q.decode()[:80]}",
                          *c.send(method, path + q, b"", headers))
                continue
            for field in base:
                h = dict(headers, **{"Idempotency-Key": str(rnd.random()).encode()})
                without = {k: v for k, v in base.items() if k != field}
                check(f"{who} {method} {template} without {field}",
                      *c.send(method, path, json.dumps(without).encode(), h))
                for odd in ODD_TEXT + ODD_NUMBERS:
                    h = dict(headers, **{"Idempotency-Key": str(rnd.random()).encode()})
                    body = dict(base, **{field: odd})
                    check(f"{who} {method} {template} {field}={repr(odd)[:40]}",
                          *c.send(method, path, json.dumps(body).encode(), h))
    print(f"api_probe: {sent} requests over {len(routes)} routes, {len(bad)} answered badly")
    for line in bad[:50]:
        print("  " + line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
