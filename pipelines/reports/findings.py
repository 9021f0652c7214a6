"""Findings: the sentences the reports put above charts, each from a function that tests what it
claims and otherwise says what the data does show.

- A difference between groups is claimed only when the 95 % Wilson intervals separate
  (:func:`highest_rate`) or a two-sided two-proportion z-test rejects equality at the 5 % level
  (:func:`differs_from_rest`).
- "Most" / "highest" needs a margin: the top group's interval clears every other group's, and
  its rate is at least MARGIN (5 points) above the next (:func:`highest_rate`); the most common
  category must be ahead of the second by a conditional binomial test (:func:`most_common`).
- A trend is a change of a rate (not of a count, which grows with the candidates), over complete
  periods only (months still filling in are named and left out), tested at the 5 % level
  (:func:`rate_trend`); a trend over ordered groups (rounds) by the Cochran–Armitage test
  (:func:`ordered_trend`).
- Every input is a published value: a suppressed count (None) is never used as a number.

Each function returns a :class:`Finding`; ``holds`` says whether the claim passed its test, and
only findings that hold may become a recommendation (``action``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.reports.privacy import MIN_GROUP, rate, wilson_interval

LEVEL = 0.05  # two-sided significance level of every test
Z = 1.959964  # its normal quantile
MARGIN = 0.05  # "highest" needs at least 5 percentage points over the next group


@dataclass(frozen=True)
class Finding:
    text: str  # the sentence: a claim that passed its test, or what the data does show
    holds: bool  # a claim was made and passed its test
    test: str  # how it was tested, in words (shown under the chart)
    action: str | None = None  # what to change, when the claim holds


@dataclass(frozen=True)
class Group:
    """A group's published counts: ``successes`` of ``n`` (None when suppressed)."""

    name: str
    successes: int | None
    n: int | None

    @property
    def rate(self) -> float | None:
        if self.successes is None or self.n is None:
            return None
        return rate(self.successes, self.n)


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal variable."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def two_proportion_p(s1: int, n1: int, s2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    if min(n1, n2) <= 0:
        return 1.0
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return 2 * normal_sf(abs(s1 / n1 - s2 / n2) / se)


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def _range(rates: Sequence[float]) -> str:
    lo, hi = min(rates), max(rates)
    return f"{lo * 100:.0f}–{hi * 100:.0f} %" if round(lo, 2) != round(hi, 2) else _pct(lo)


def highest_rate(
    groups: Sequence[Group],
    what: str,
    noun: str = "group",
    action: str | None = None,
    *,
    plural: str | None = None,
) -> Finding:
    """'<top> has the highest <what>' only when its 95 % Wilson interval lies above every other
    group's and its rate is at least MARGIN above the next, and every group's rate is shown (a
    group without one may be higher); else the range of the rates. ``action`` may use {name};
    ``plural``: the noun's plural where adding -s is wrong ("rounds and panels")."""
    nouns = plural or _plural(noun)
    shown = [g for g in groups if g.rate is not None]
    test = "95 % Wilson intervals of every group; a claim needs the top interval clear of all others and a 5-point margin"
    if len(shown) < 2:
        return Finding(
            f"Too few {nouns} with {MIN_GROUP} or more people to compare {what}",
            False,
            test,
        )
    ranked = sorted(shown, key=lambda g: g.rate, reverse=True)  # type: ignore[arg-type, return-value]
    top, second = ranked[0], ranked[1]
    # A group too small to show has no rate here: every statement is about the groups shown, and
    # says so when some are not (a hidden group may lie outside the range).
    hidden = len(groups) - len(shown)
    scope = f" ({hidden} of the {len(groups)} {nouns} without a rate shown)" if hidden else ""
    lo_top = wilson_interval(top.successes, top.n)[0]  # type: ignore[arg-type]
    clear = all(lo_top > wilson_interval(g.successes, g.n)[1] for g in ranked[1:])  # type: ignore[arg-type]
    if clear and top.rate - second.rate >= MARGIN:  # type: ignore[operator]
        if hidden:  # a group without a shown rate may be higher: said of the shown ones only
            return Finding(
                f"Of the {len(shown)} {nouns} with a rate shown, {top.name} has the highest "
                f"{what}: {_pct(top.rate)} against {_range([g.rate for g in ranked[1:]])}{scope}",  # type: ignore[arg-type, misc]
                False,
                test,
            )
        return Finding(
            f"{top.name} has the highest {what}: {_pct(top.rate)} against "  # type: ignore[arg-type]
            f"{_range([g.rate for g in ranked[1:]])} for the other {nouns}",  # type: ignore[misc]
            True,
            test,
            action.format(name=top.name) if action else None,
        )
    bottom = ranked[-1]
    some_differ = lo_top > wilson_interval(bottom.successes, bottom.n)[1]  # type: ignore[arg-type]
    if some_differ:  # the extremes differ, but no single group leads the rest clearly
        return Finding(
            f"No single {noun} stands out in {what}; they range "  # type: ignore[misc]
            f"{_range([g.rate for g in ranked])}{scope}, {_extreme(ranked, top, 'highest')} and "
            f"{_extreme(ranked, bottom, 'lowest')}",
            False,
            test,
        )
    return Finding(
        f"No {noun} differs clearly in {what}: {_range([g.rate for g in ranked])}{scope}",  # type: ignore[misc]
        False,
        test,
    )


def _extreme(ranked: Sequence[Group], group: Group, word: str) -> str:
    """'<name> <word>', or how many share that rate when it is a tie (naming one would pick it
    arbitrarily)."""
    tied = sum(1 for g in ranked if g.rate == group.rate)
    return f"{group.name} {word}" if tied == 1 else f"{tied} tied {word} ({_pct(group.rate)})"  # type: ignore[arg-type]


def differs_from_rest(
    group: Group,
    rest: Group,
    what: str,
    others: str,
    action: str | None = None,
    *,
    compared: int = 1,
) -> Finding:
    """'<group>'s <what> is x× the <others>'' only when a two-proportion z-test rejects equal
    rates at LEVEL; else both rates and 'no clear difference'. ``compared``: how many groups the
    tested one was picked from (e.g. the vendor with the highest rate of 6): the level is divided
    by it (Bonferroni), as picking the most extreme of several makes a small p likely by chance."""
    level = LEVEL / max(compared, 1)
    test = f"two-sided two-proportion z-test at the {LEVEL:.0%} level" + (
        f", Bonferroni-corrected for the {compared} groups it was picked from (p < {level:.3f})"
        if compared > 1
        else ""
    )
    if group.rate is None or rest.rate is None:
        return Finding(
            f"{what.capitalize()}: too few to compare {group.name} with {others}", False, test
        )
    p = two_proportion_p(group.successes, group.n, rest.successes, rest.n)  # type: ignore[arg-type]
    if p < level and rest.rate > 0:
        ratio = group.rate / rest.rate
        way = f"{ratio:.1f}× that of" if ratio >= 1 else f"{1 / ratio:.1f}× lower than"
        return Finding(
            f"{group.name}'s {what} is {way} {others} ({_pct(group.rate)} vs {_pct(rest.rate)}, "
            f"p = {p:.3f})",
            True,
            test,
            action.format(name=group.name) if action else None,
        )
    return Finding(
        f"{group.name}'s {what} ({_pct(group.rate)}) is not clearly different from {others} "
        f"({_pct(rest.rate)})",
        False,
        test,
    )


def most_common(parts: Sequence[tuple[str, int | None]], total: int | None, what: str) -> Finding:
    """'<top> is the most common <what>' only when the top count is ahead of the second by a
    conditional binomial test (z on the two counts) at LEVEL; else the two named together. The
    parts not shown (suppressed, or not listed) hold ``total`` less the shown ones: when that is
    as large as the second, one of them may be larger, and nothing is claimed."""
    test = f"the top two counts compared with a conditional binomial test at the {LEVEL:.0%} level"
    shown = sorted(((n, name) for name, n in parts if n is not None), reverse=True)
    if not total or len(shown) < 2:
        return Finding(f"Too few to say which {what} is most common", False, test)
    (a, top), (b, second) = shown[0], shown[1]
    rest = total - sum(n for n, _ in shown)
    if rest >= b:
        return Finding(
            f"The most common {what} may be one not shown: {rest:,} of the {total:,} are in "
            f"{what}s suppressed or not listed",
            False,
            test,
        )
    z = (a - b) / math.sqrt(a + b) if a + b else 0.0
    share_a, share_b = a / total, b / total
    # several tied for second: naming one would pick it arbitrarily
    tied = sum(1 for n, _ in shown[1:] if n == b)
    runner_up = (
        f"{second} ({_pct(share_b)})" if tied == 1 else f"the next {tied} ({_pct(share_b)} each)"
    )
    if z >= Z:
        return Finding(
            f"{top} is the most common {what} ({_pct(share_a)}), ahead of {runner_up}", True, test
        )
    first = sum(1 for n, _ in shown if n == a)
    if first > 2:  # naming two of them would pick them arbitrarily
        return Finding(
            f"No {what} is the most common: {first} have {_pct(share_a)} each", False, test
        )
    if tied > 1:
        return Finding(
            f"{top} ({_pct(share_a)}) is not clearly more common than the next {tied} "
            f"({_pct(share_b)} each)",
            False,
            test,
        )
    return Finding(
        f"{top} and {second} are about as common as each other ({_pct(share_a)} and {_pct(share_b)})",
        False,
        test,
    )


def share_over(over: int | None, total: int | None, subject: str, past: str) -> Finding:
    """The share of ``subject`` that ``past`` (e.g. 'resolved disputes' that 'took longer than
    30 days'), stated only as the published counts allow: the share, 'suppressed' when the count
    is (it may be small, or hidden to protect a small one: of any size), 'all but fewer than 11',
    or 'none'. The chart under it must agree."""
    test = f"a share is shown only with {MIN_GROUP} or more on each side"
    if not total:
        return Finding(f"No {subject} yet", False, test)
    if over == 0:
        return Finding(f"None of the {total:,} {subject} {past}", True, test)
    if over is None:
        return Finding(f"{total:,} {subject}: how many {past} is suppressed", False, test)
    r = rate(over, total)
    if r is None:
        return Finding(
            f"All but fewer than {MIN_GROUP} of the {total:,} {subject} {past}", False, test
        )
    return Finding(f"{_pct(r)} of the {total:,} {subject} {past}", True, test)


def ordered_trend(
    groups: Sequence[Group], what: str, noun: str, *, plural: str | None = None
) -> Finding:
    """'<what> falls (rises) with each <noun>' over groups in their natural order (rounds, bands)
    only when the Cochran–Armitage test for trend (scores 0, 1, 2, ...) rejects no trend at LEVEL,
    every step goes the same way and each pair of neighbours differs (two-proportion z-test,
    Bonferroni-corrected); with the trend clear but a step not, 'falls from <first> to <last>';
    a significant but uneven change is said to be uneven. Every group's rate must be shown: a
    hidden one could break the order. The test counts each success as independent."""
    nouns = plural or _plural(noun)
    test = (
        f"Cochran–Armitage test for trend at the {LEVEL:.0%} level; 'with each' needs every step "
        "the same way and each pair of neighbours different by a two-proportion z-test "
        "(Bonferroni-corrected)"
    )
    if len(groups) < 3 or any(g.rate is None for g in groups):
        return Finding(
            f"{what.capitalize()} by {noun}: too few {nouns} with a rate shown to state a trend",
            False,
            test,
        )
    n = sum(g.n for g in groups)  # type: ignore[misc]
    p = sum(g.successes for g in groups) / n  # type: ignore[misc]
    t = sum(i * (g.successes - g.n * p) for i, g in enumerate(groups))  # type: ignore[operator]
    var = (
        p
        * (1 - p)
        * (
            sum(i * i * g.n for i, g in enumerate(groups))  # type: ignore[operator]
            - sum(i * g.n for i, g in enumerate(groups)) ** 2 / n  # type: ignore[operator]
        )
    )
    z = t / math.sqrt(var) if var > 0 else 0.0
    steps = [b.rate - a.rate for a, b in zip(groups[:-1], groups[1:], strict=True)]  # type: ignore[operator]
    path = " → ".join(_pct(g.rate) for g in groups)  # type: ignore[arg-type]
    span = f"{groups[0].name} to {groups[-1].name}"
    if abs(z) < Z:
        return Finding(f"No clear trend in {what} across {nouns}: {path} ({span})", False, test)
    if all(s < 0 for s in steps) or all(s > 0 for s in steps):
        way = "falls" if z < 0 else "rises"
        # "with each" claims every step: each pair of neighbours tested too (Bonferroni)
        level = LEVEL / (len(groups) - 1)
        each = all(
            two_proportion_p(a.successes, a.n, b.successes, b.n) < level  # type: ignore[arg-type]
            for a, b in zip(groups[:-1], groups[1:], strict=True)
        )
        if each:
            return Finding(
                f"{what.capitalize()} {way} with each {noun}: {path} ({span})", True, test
            )
        return Finding(
            f"{what.capitalize()} {way} from {span}: {path} (the trend is clear, not every step)",
            True,
            test,
        )
    return Finding(
        f"{what.capitalize()} changes across {nouns}, but not steadily: {path} ({span})",
        False,
        test,
    )


def rate_trend(
    periods: Sequence[tuple[str, int | None, int | None, bool]], what: str, window: int = 3
) -> Finding:
    """Change of a rate between the last ``window`` complete periods and the ``window`` before
    (each side pooled), by the two-proportion z-test at LEVEL. ``periods``: (label, published
    successes, published denominator, complete) in time order; incomplete periods are named and
    left out. A count that rises with the number of candidates is not a trend: a rate is."""
    test = (
        f"complete months only; the last {window} against the {window} before, "
        f"two-proportion z-test at the {LEVEL:.0%} level"
    )
    filling = [p for p, _, _, complete in periods if not complete]
    note = f" ({filling[0]} to {filling[-1]} still filling in, left out)" if filling else ""
    done = [(p, s, n) for p, s, n, complete in periods if complete]
    if len(done) < 2 * window:
        return Finding(
            f"{what.capitalize()}: fewer than {2 * window} complete months, no trend stated{note}",
            False,
            test,
        )
    recent, before = done[-window:], done[-2 * window : -window]
    if any(s is None or n is None for _, s, n in recent + before):
        return Finding(
            f"{what.capitalize()}: some recent months are suppressed, no trend stated{note}",
            False,
            test,
        )
    s1, n1 = sum(s for _, s, _ in recent), sum(n for _, _, n in recent)  # type: ignore[misc]
    s0, n0 = sum(s for _, s, _ in before), sum(n for _, _, n in before)  # type: ignore[misc]
    now, then = f"{recent[0][0]} to {recent[-1][0]}", f"{before[0][0]} to {before[-1][0]}"
    r1, r0 = (s1 / n1 if n1 else 0.0), (s0 / n0 if n0 else 0.0)
    if two_proportion_p(s1, n1, s0, n0) < LEVEL:
        return Finding(
            f"{what.capitalize()} {'rose' if r1 > r0 else 'fell'} from {_pct(r0)} ({then}) to "
            f"{_pct(r1)} ({now}){note}",
            True,
            test,
        )
    return Finding(
        f"No clear change in {what}: {_pct(r1)} in {now}, {_pct(r0)} in {then}{note}", False, test
    )
