#!/usr/bin/env python3
"""Tests of tools/api_probe.py's pure parts (run by ctest as `tools_api_probe`); the probe itself
runs against a real server in the integration suite (ApiProbe)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_probe  # noqa: E402

IDS = {"restaurant": "R", "item": "I", "staff": "S", "customer": "C", "order": "O",
       "charge": "P"}


class Fill(unittest.TestCase):
    def test_each_template_gets_the_id_of_its_own_kind(self):
        self.assertEqual(api_probe.fill("/restaurants/{id}/items/{item_id}", IDS),
                         "/restaurants/R/items/I")
        self.assertEqual(api_probe.fill("/admin/accounts/{id}/restaurants", IDS),
                         "/admin/accounts/S/restaurants")
        self.assertEqual(api_probe.fill("/orders/{id}/cancel", IDS), "/orders/O/cancel")
        self.assertEqual(api_probe.fill("/customers/{id}", IDS), "/customers/C")
        self.assertEqual(api_probe.fill("/payments/charges/{id}", IDS), "/payments/charges/P")
        self.assertEqual(api_probe.fill("/restaurants/{id}/orders", IDS), "/restaurants/R/orders")


class RaceVerdict(unittest.TestCase):
    def test_one_success_among_refusals_passes(self):
        self.assertIsNone(api_probe.race_verdict("x", [409, 201, 409], {1}, {201}))

    def test_two_successes_where_one_is_allowed_fail(self):
        self.assertIn("statuses [201, 201, 409]",
                      api_probe.race_verdict("x", [201, 409, 201], {1}, {201}))

    def test_a_server_error_or_no_answer_fails_whatever_the_successes(self):
        self.assertIsNotNone(api_probe.race_verdict("x", [201, 500], {1}, {201}))
        self.assertIsNotNone(api_probe.race_verdict("x", [201, 0], {1}, {201}))

    def test_replays_may_all_succeed(self):
        self.assertIsNone(api_probe.race_verdict("x", [201, 201, 201], range(1, 4), {201}))


class HistoryVerdict(unittest.TestCase):
    BEFORE = [{"from": "pending_payment", "to": "confirmed", "version": 2}]

    def grown(self, *steps):
        out, prev, v = list(self.BEFORE), "confirmed", 2
        for to in steps:
            v += 1
            out.append({"from": prev, "to": to, "version": v})
            prev = to
        return out

    def test_history_grown_by_exactly_the_steps_answered_as_done_passes(self):
        self.assertIsNone(api_probe.history_verdict(
            "x", self.BEFORE, self.grown("accepted", "cancelled"), ["cancelled", "accepted"]))
        self.assertIsNone(api_probe.history_verdict("x", self.BEFORE, self.BEFORE, []))

    def test_a_step_answered_as_done_but_not_recorded_fails(self):
        self.assertIn("answers said", api_probe.history_verdict(
            "x", self.BEFORE, self.grown("cancelled"), ["cancelled", "accepted"]))

    def test_a_step_recorded_twice_fails(self):
        self.assertIsNotNone(api_probe.history_verdict(
            "x", self.BEFORE, self.grown("accepted", "accepted"), ["accepted"]))

    def test_a_broken_chain_fails(self):
        h = self.grown("accepted", "cancelled")
        h[-1]["from"] = "confirmed"
        self.assertIn("breaks", api_probe.history_verdict(
            "x", self.BEFORE, h, ["accepted", "cancelled"]))
        h = self.grown("accepted", "cancelled")
        h[-1]["version"] = 5
        self.assertIn("breaks", api_probe.history_verdict(
            "x", self.BEFORE, h, ["accepted", "cancelled"]))

    def test_rewritten_earlier_history_fails(self):
        h = self.grown("accepted")
        h[0] = dict(h[0], to="accepted")
        self.assertIn("rewritten", api_probe.history_verdict("x", self.BEFORE, h, ["accepted"]))


if __name__ == "__main__":
    unittest.main()
