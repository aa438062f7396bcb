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


if __name__ == "__main__":
    unittest.main()
