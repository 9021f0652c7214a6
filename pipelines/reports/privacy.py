"""Small-group suppression, labels from data, safe CSV cells and escaping: nothing here imports
plotly or Dagster.

The rule: a group of fewer than MIN_GROUP people is never shown, in a chart, a table, a CSV file
or hover text. A count known to be small reads "<11" (SMALL); a cell the suppression hid reads
"suppressed" (SUPPRESSED): it may be small, or hidden only so that a small one cannot be worked
out from the totals and then of any size, so "<11" would state a false number. A rate is shown
only when its denominator has at least MIN_GROUP people and neither the people it counts nor
the rest are a small group (otherwise the rate and the denominator together would reveal a
small count).

Labels: a value from data that names a group (a job family, a vendor) reaches a report only
through :func:`group_labels` (a small group is published as OTHER_GROUPS, never by its name) and
:func:`clean_label` (invisible and control characters out, whitespace collapsed, at most
LABEL_MAX characters); the contract's enum values are an allow-list and pass unchanged. Then
``esc`` escapes for HTML and ``plot_text`` for Plotly, where the text is used.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Mapping
from functools import cache

from pipelines.contract import load_contract

MIN_GROUP = 11
SMALL = f"<{MIN_GROUP}"  # a count known to be 1 to MIN_GROUP - 1
SUPPRESSED = "suppressed"  # a cell hidden by the suppression: small, or hiding a small one

LABEL_MAX = 40  # characters of a label from data that a report shows, the mark included
LABEL_MARK = "…"  # ends a label that was cut
# Characters of a label looked at: a huge label costs no more than a short one. The report SQL
# keeps 400 characters of a label (more than this), so a label it cut is always marked here.
LABEL_SCAN = 4 * LABEL_MAX
OTHER_GROUPS = "other (smaller groups)"  # small groups, and those past the named ones
NO_TEXT = "(no text)"  # a label with nothing printable in it
_WHITESPACE = re.compile(r"\s+")


def is_small(n: int | float | None) -> bool:
    """A count that must not be shown: 1 to MIN_GROUP - 1 people (zero is not a group)."""
    return n is not None and 0 < n < MIN_GROUP


def count_text(n: int | float | None) -> str:
    """A count as text: "suppressed" for a cell the suppression hid (None), "<11" for a count
    known to be small, else the number."""
    if n is None:
        return SUPPRESSED
    return SMALL if is_small(n) else f"{int(n):,}"


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
        else f"n{SMALL}"
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


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not execute. Numbers stay numbers (no thousands separator,
    no % sign: a column of percentages says so in its name); a text cell that starts with
    = + - @, tab or CR and is not a number gets a leading quote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}" if abs(value) < 1 else f"{value:.6g}"
    s = "" if value is None else str(value)
    if s and s[0] in "=+-@\t\r" and not _NUMBER.fullmatch(s):
        return "'" + s
    return s


def esc(value: object) -> str:
    """Escape text for HTML (pages and tables; Plotly text takes ``plot_text``)."""
    return html.escape("" if value is None else str(value), quote=True)


def plot_text(value: object) -> str:
    """Escape text for Plotly (labels, hover, titles), which renders a subset of HTML tags and
    decodes only &amp; &lt; &gt; and numeric entities: "&quot;" would show as typed. With & < >
    escaped no tag can form, and Plotly puts the text into the SVG as text nodes."""
    s = "" if value is None else str(value)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@cache
def enum_values() -> frozenset[str]:
    """Every value of the contract's enum columns: the labels that pass ``clean_label`` as they are."""
    return frozenset(
        v for t in load_contract().tables.values() for c in t.columns if c.values for v in c.values
    )


def clean_label(value: object) -> str:
    """The text a report may show for a label from data (a job family, a vendor id, a finding):
    control, format (bidi overrides and isolates, zero-width), private-use and unassigned
    characters removed, whitespace collapsed, at most LABEL_MAX characters (a cut label ends in
    LABEL_MARK). An enum value of the contract passes unchanged. Not escaped: ``esc`` (HTML) or
    ``plot_text`` (Plotly) does that where the text is used. Reads at most LABEL_SCAN characters."""
    s = "" if value is None else str(value)
    if s in enum_values():
        return s
    head = _WHITESPACE.sub(" ", s[:LABEL_SCAN])
    text = "".join(ch for ch in head if unicodedata.category(ch)[0] != "C")
    text = _WHITESPACE.sub(" ", text).strip() or NO_TEXT
    if len(s) > LABEL_SCAN or len(text) > LABEL_MAX:
        text = text[: LABEL_MAX - 1].rstrip() + LABEL_MARK
    return text


def group_labels(sizes: Mapping[object, int | float | None]) -> dict[object, str]:
    """The label each group is published under, from the number of people in it: its
    ``clean_label``, or OTHER_GROUPS for a group of fewer than MIN_GROUP (or of unknown size)."""
    return {
        k: OTHER_GROUPS if n is None or n < MIN_GROUP else clean_label(k) for k, n in sizes.items()
    }
