"""The Nagios range syntax, edge cases first."""

from __future__ import annotations

import math

import testtools

from hostctl import exceptions
from hostctl.health import ranges


class RangeTest(testtools.TestCase):
    def alerts(self, text, values):
        found = ranges.parse(text)
        return [v for v in values if found.alerts(v)]

    def test_a_number_is_zero_to_it(self):
        self.assertEqual([-1, 11], self.alerts('10', [-1, 0, 10, 11]))
        self.assertEqual([1, -0.5], self.alerts('0', [0, 1, -0.5]))

    def test_open_end_is_infinity(self):
        self.assertEqual([9.9], self.alerts('10:', [9.9, 10, 10**9]))

    def test_tilde_is_minus_infinity(self):
        self.assertEqual([10.5], self.alerts('~:10', [-(10**9), 10, 10.5]))

    def test_both_ends_are_inside(self):
        self.assertEqual([9, 21], self.alerts('10:20', [9, 10, 20, 21]))

    def test_at_alerts_inside_ends_included(self):
        self.assertEqual(
            [10, 15, 20], self.alerts('@10:20', [9, 10, 15, 20, 21])
        )
        self.assertEqual([0, 5], self.alerts('@5', [-1, 0, 5, 6]))
        self.assertEqual([1, 99], self.alerts('@1:', [0, 1, 99]))

    def test_empty_start_is_zero(self):
        found = ranges.parse(':5')
        self.assertEqual(
            (0.0, 5.0, False), (found.start, found.end, found.inside)
        )

    def test_tilde_colon_never_alerts(self):
        self.assertEqual([], self.alerts('~:', [-(10**9), 0, 10**9]))

    def test_decimals_and_negatives(self):
        found = ranges.parse('-2.5:3.5')
        self.assertEqual((-2.5, 3.5), (found.start, found.end))
        self.assertTrue(found.alerts(-2.6))

    def test_equal_ends(self):
        self.assertEqual([0, 2], self.alerts('1:1', [0, 1, 2]))

    def test_text_is_kept_for_performance_data(self):
        self.assertEqual('@10:20', str(ranges.parse(' @10:20 ')))
        self.assertEqual(math.inf, ranges.parse('10:').end)

    def test_malformed(self):
        for text, why in (
            ('', 'it is empty'),
            ('@', 'it is empty'),
            ('abc', "'abc' is not a number"),
            ('20:10', 'its start is above its end'),
            ('1:2:3', "'2:3' is not a number"),
            ('~', "'~' is not a number"),
            ('10:~', "'~' is not a number"),
            ('inf', "'inf' is not a number"),
            ('nan:', "'nan' is not a number"),
            ('@@1', "'@1' is not a number"),
        ):
            error = self.assertRaises(
                exceptions.UsageError, ranges.parse, text
            )
            self.assertIn(f'invalid range {text!r}: {why}', str(error))
