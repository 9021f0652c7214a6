"""Each finding function, fed data where its claim must be made and data where it must not."""

from __future__ import annotations

import pytest

from pipelines.reports.findings import (
    Group,
    differs_from_rest,
    highest_rate,
    most_common,
    ordered_trend,
    rate_trend,
    share_over,
    two_proportion_p,
)


def test_highest_rate_is_claimed_when_the_intervals_separate():
    f = highest_rate(
        [Group("A", 300, 600), Group("B", 120, 600), Group("C", 110, 600)],
        "adverse-action rate",
        "vendor",
        action="Review {name}",
    )
    assert f.holds and f.text.startswith("A has the highest adverse-action rate: 50%")
    assert f.action == "Review A"


def test_highest_rate_is_not_claimed_when_the_intervals_overlap():
    # The case: A 33–50 %, B 33–52 %, C 34–49 %.
    f = highest_rate(
        [Group("A", 42, 101), Group("B", 40, 94), Group("C", 45, 109)],
        "adverse-action rate",
        "vendor",
    )
    assert not f.holds and f.action is None
    assert f.text == "No vendor differs clearly in adverse-action rate: 41–43 %"


def test_highest_rate_needs_a_margin_even_when_intervals_separate():
    # Huge groups: the intervals separate at a 2-point gap, which is not a "highest" worth naming.
    f = highest_rate([Group("A", 42_000, 100_000), Group("B", 40_000, 100_000)], "rate", "group")
    assert not f.holds


def test_highest_rate_says_when_groups_differ_but_none_leads():
    f = highest_rate(
        [Group("A", 820, 1000), Group("B", 810, 1000), Group("C", 540, 1000)], "yes share", "panel"
    )
    assert not f.holds
    assert (
        f.text
        == "No single panel stands out in yes share; they range 54–82 %, A highest and C lowest"
    )


def test_a_range_over_the_groups_shown_says_how_many_are_suppressed():
    # The reader found "No job family differs clearly: 40–43 %" above two hidden families whose
    # rates lay outside that range.
    groups = [Group("A", 430, 1000), Group("B", 400, 1000), Group("C", None, 562)]
    f = highest_rate(groups, "rate", "job family")
    assert f.text == (
        "No job family differs clearly in rate: 40–43 % (1 of the 3 job families without a rate shown)"
    )
    # a group without a shown rate may be the highest: said of the shown ones, and no claim
    f = highest_rate(
        [Group("A", 500, 1000), Group("B", 100, 1000), Group("C", None, 50)], "rate", action="Go"
    )
    assert not f.holds and f.action is None
    assert f.text == (
        "Of the 2 groups with a rate shown, A has the highest rate: 50% against 10% "
        "(1 of the 3 groups without a rate shown)"
    )
    plural = highest_rate(groups, "yes share", "round and panel", plural="rounds and panels")
    assert plural.text.endswith("(1 of the 3 rounds and panels without a rate shown)")


def test_a_tie_for_highest_or_lowest_is_not_named_as_one_group():
    f = highest_rate(
        [Group("A", 82, 100), Group("B", 81, 100), *(Group(x, 0, 100) for x in "CDE")],
        "error rate",
        "rule",
    )
    assert f.text.endswith("A highest and 3 tied lowest (0%)"), f.text


def test_highest_rate_ignores_suppressed_groups_and_needs_two():
    f = highest_rate([Group("A", 50, 100), Group("B", None, 100), Group("C", 5, 100)], "rate")
    assert not f.holds and "Too few" in f.text


def test_differs_from_rest_claims_only_a_significant_difference():
    yes = differs_from_rest(
        Group("V", 20, 38), Group("others", 18, 67), "correction rate", "the others'"
    )
    assert yes.holds and "2.0× that of the others' (53% vs 27%, p = 0.008)" in yes.text
    no = differs_from_rest(
        Group("V", 14, 38), Group("others", 20, 67), "correction rate", "the others'"
    )
    assert not no.holds and "not clearly different" in no.text


def test_the_most_extreme_of_several_groups_needs_a_corrected_level():
    # The reader's case: VEND-C, the highest correction rate of 6 vendors, "1.9x, p = 0.020"
    # against the rest pooled. Picked from 6, it must clear 0.05 / 6.
    top, rest = Group("VEND-C", 12, 23), Group("the other vendors", 22, 82)  # p = 0.022
    alone = differs_from_rest(top, rest, "correction rate", "the others'")
    assert alone.holds
    picked = differs_from_rest(top, rest, "correction rate", "the others'", compared=6)
    assert (
        not picked.holds and "Bonferroni" in picked.test and "not clearly different" in picked.text
    )


def test_two_proportion_p_matches_a_hand_computed_value():
    # p1 = .5, p2 = .3, n = 100 each: pooled .4, se = sqrt(.4*.6*.02) = .0693, z = 2.887
    assert two_proportion_p(50, 100, 30, 100) == pytest.approx(0.00389, abs=2e-4)


def test_most_common_needs_a_clear_lead():
    reasons = [("competition", 849), ("goal mismatch", 384), ("other", 360), ("unknown", 566)]
    yes = most_common(reasons, 2159, "reason")
    assert yes.holds and yes.text.startswith("competition is the most common reason (39%)")
    no = most_common([("a", 154), ("b", 123), ("c", 107)], 384, "direction")
    assert not no.holds and "about as common" in no.text


def _months(counts, complete, interviewed=None):
    """Periods for rate_trend: (month, rejections, interviewed, complete)."""
    dens = interviewed or [1000] * len(counts)
    return [
        (f"2025-{i + 1:02d}", n, d, i < complete)
        for i, (n, d) in enumerate(zip(counts, dens, strict=True))
    ]


def test_most_common_does_not_name_one_of_several_tied_for_second():
    f = most_common([("A", 181), ("B", 24), ("C", 24), ("D", 24)], 253, "problem")
    assert f.holds and f.text == "A is the most common problem (72%), ahead of the next 3 (9% each)"
    f = most_common([("A", 24), ("B", 24), ("C", 24), ("D", 20)], 92, "problem")
    assert not f.holds and f.text == "No problem is the most common: 3 have 26% each"
    f = most_common([("A", 30), ("B", 24), ("C", 24)], 100, "problem")
    assert not f.holds and f.text == "A (30%) is not clearly more common than the next 2 (24% each)"


def test_most_common_claims_nothing_when_the_parts_not_shown_may_be_larger():
    # The reader's Data quality page: five problems of 24 shown, 188 of 308 rows in two hidden
    # ones (one of them 181): "no problem is the most common" was false.
    parts = [("B", 24), ("C", 24), ("D", 24), ("E", 24), ("F", 24), ("A", None), ("G", None)]
    f = most_common(parts, 308, "problem")
    assert not f.holds
    assert (
        f.text
        == "The most common problem may be one not shown: 188 of the 308 are in problems suppressed or not listed"
    )


def test_rate_trend_is_stated_over_complete_months_only():
    # A clear fall in complete months; the two months still filling in are excluded and named.
    f = rate_trend(_months([200, 210, 190, 120, 110, 115, 40, 10], 6), "rejections per interviewed")
    assert f.holds and "fell from 20% (2025-01 to 2025-03) to 12% (2025-04 to 2025-06)" in f.text
    assert "2025-07 to 2025-08 still filling in" in f.text
    # The case: the fall is only in months still filling in.
    g = rate_trend(_months([130, 125, 135, 128, 131, 127, 60, 20], 6), "rejections per interviewed")
    assert not g.holds and g.text.startswith("No clear change")


def test_rate_trend_is_not_fooled_by_a_count_that_grows_with_the_candidates():
    # Rejections doubled because twice as many were interviewed: the rate did not move.
    counts, interviewed = [100, 100, 100, 200, 200, 200], [1000] * 3 + [2000] * 3
    f = rate_trend(_months(counts, 6, interviewed), "rejections per interviewed")
    assert not f.holds and f.text.startswith("No clear change in rejections per interviewed: 10%")
    # The same counts over a steady number interviewed are a rise.
    assert rate_trend(_months(counts, 6), "rejections per interviewed").holds


def test_rate_trend_needs_six_complete_months_and_no_suppressed_month():
    assert not rate_trend(_months([100] * 5, 5), "x").holds
    assert not rate_trend(_months([100, 100, None, 100, 100, 100], 6), "x").holds
    assert not rate_trend(_months([100] * 6, 6, [1000, 1000, None, 1000, 1000, 1000]), "x").holds


def test_share_over_says_what_a_suppressed_count_allows():
    assert share_over(22, 105, "resolved disputes", "took longer").text.startswith("21% of the 105")
    # a suppressed count may be hidden only to protect a small one, and then be of any size
    s = share_over(None, 105, "resolved disputes", "took longer")
    assert not s.holds and s.text == "105 resolved disputes: how many took longer is suppressed"
    assert (
        share_over(0, 105, "resolved disputes", "took longer").text
        == "None of the 105 resolved disputes took longer"
    )
    assert share_over(100, 105, "x", "y").text.startswith("All but fewer than 11")


def test_ordered_trend_is_claimed_when_every_step_falls_and_the_trend_test_rejects():
    f = ordered_trend(
        [Group("round 1", 810, 1000), Group("round 2", 710, 1000), Group("round 3+", 630, 1000)],
        "the share of yes votes",
        "round",
    )
    assert f.holds
    assert (
        f.text
        == "The share of yes votes falls with each round: 81% → 71% → 63% (round 1 to round 3+)"
    )


def test_ordered_trend_is_not_claimed_for_a_change_within_noise():
    # 81 -> 78 % over 100 votes each: z = -0.56, far from significant
    f = ordered_trend(
        [Group("round 1", 81, 100), Group("round 2", 79, 100), Group("round 3+", 78, 100)],
        "the share of yes votes",
        "round",
    )
    assert not f.holds and f.text.startswith("No clear trend in the share of yes votes")


def test_ordered_trend_calls_a_significant_but_uneven_change_uneven():
    f = ordered_trend(
        [Group("round 1", 810, 1000), Group("round 2", 600, 1000), Group("round 3+", 700, 1000)],
        "the share of yes votes",
        "round",
    )
    assert not f.holds and "not steadily" in f.text


def test_ordered_trend_states_nothing_when_a_group_is_suppressed():
    f = ordered_trend(
        [Group("round 1", 810, 1000), Group("round 2", None, 1000), Group("round 3+", 630, 1000)],
        "the share of yes votes",
        "round",
    )
    assert not f.holds and "too few rounds" in f.text


def test_ordered_trend_statistic_is_the_cochran_armitage_z():
    # z = T / sqrt(Var T) by hand for 30/100, 40/100, 50/100 (scores 0, 1, 2): p = 0.4,
    # T = 0*(30-40) + 1*(40-40) + 2*(50-40) = 20, Var = 0.24 * (500 - 300**2/300) = 48,
    # z = 2.887 > 1.96 (a claim); 33/100, 40/100, 47/100: T = 14, z = 2.02 (a claim);
    # 34/100, 40/100, 46/100: T = 12, z = 1.73 (none).
    def holds(a: int, c: int) -> bool:
        groups = [Group("1", a, 100), Group("2", 40, 100), Group("3", c, 100)]
        return ordered_trend(groups, "rate", "round").holds

    assert holds(30, 50) and holds(33, 47) and not holds(34, 46)


def test_ordered_trend_says_with_each_only_when_every_step_is_clear():
    # 81 -> 71 -> 69 % over 1000 each: the trend is clear, the last step (2 points) is not
    f = ordered_trend(
        [Group("round 1", 810, 1000), Group("round 2", 710, 1000), Group("round 3+", 690, 1000)],
        "the share of yes votes",
        "round",
    )
    assert f.holds and "with each" not in f.text
    assert f.text == (
        "The share of yes votes falls from round 1 to round 3+: 81% → 71% → 69% "
        "(the trend is clear, not every step)"
    )
