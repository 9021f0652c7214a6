"""Small-group suppression, safe CSV cells and escaping: nothing here imports plotly or Dagster.

The rule: a group of fewer than MIN_GROUP people is never shown, in a chart, a table, a CSV file
or hover text; it reads "<11". A rate is shown only when its denominator has at least MIN_GROUP
people and neither the people it counts nor the rest are a small group (otherwise the rate and
the denominator together would reveal a small count).
"""

from __future__ import annotations

import html
import math

MIN_GROUP = 11
SUPPRESSED = f"<{MIN_GROUP}"


def is_small(n: int | float | None) -> bool:
    """A count that must not be shown: 1 to MIN_GROUP - 1 people (zero is not a group)."""
    return n is not None and 0 < n < MIN_GROUP


def count_text(n: int | float | None) -> str:
    if n is None:
        return ""
    return SUPPRESSED if is_small(n) else f"{int(n):,}"


def count_value(n: int | float | None) -> int | None:
    """The number to plot: None (a gap) for a suppressed group."""
    return None if n is None or is_small(n) else int(n)


def rate_allowed(numerator: int, denominator: int) -> bool:
    return (
        denominator >= MIN_GROUP
        and not is_small(numerator)
        and not is_small(denominator - numerator)
    )


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if rate_allowed(numerator, denominator) else None


def rate_text(numerator: int, denominator: int, digits: int = 0) -> str:
    r = rate(numerator, denominator)
    return (
        f"{r:.{digits}%}"
        if r is not None
        else f"n{SUPPRESSED}"
        if denominator < MIN_GROUP
        else "suppressed"
    )


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % Wilson score interval for a proportion (good for small n and rates near 0 or 1)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not execute: leading = + - @ tab or CR get a quote."""
    s = "" if value is None else str(value)
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


def esc(value: object) -> str:
    """Escape text from data for HTML (and for Plotly labels, which render a subset of HTML)."""
    return html.escape("" if value is None else str(value), quote=True)
