"""Small-group suppression, Wilson intervals and safe CSV cells."""

from __future__ import annotations

import pytest

from pipelines.reports.privacy import (
    count_text,
    count_value,
    csv_cell,
    esc,
    rate,
    rate_text,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("n", "text", "value"),
    [(0, "0", 0), (1, "<11", None), (10, "<11", None), (11, "11", 11), (12345, "12,345", 12345)],
)
def test_groups_under_eleven_are_suppressed(n, text, value):
    assert count_text(n) == text and count_value(n) == value


def test_a_rate_needs_eleven_in_the_denominator_and_no_small_complement():
    assert rate(5, 10) is None  # denominator too small
    assert rate(3, 100) is None  # 3 people would be revealed
    assert rate(95, 100) is None  # the 5 who were not would be revealed
    assert rate(0, 50) == 0.0 and rate(50, 50) == 1.0
    assert rate(20, 80) == 0.25
    assert rate_text(5, 10) == "n<11"


def test_wilson_interval_matches_the_textbook_values():
    lo, hi = wilson_interval(20, 80)
    assert (round(lo, 4), round(hi, 4)) == (0.1681, 0.3548)
    lo, hi = wilson_interval(0, 50)
    assert lo == 0.0 and round(hi, 4) == 0.0713


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("x")', "+1+2", "-2*3", "-cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    assert csv_cell(cell) == "'" + cell


def test_numbers_stay_numbers_in_csv():
    # The issue: negative numbers turned into '-5, numbers exported as "11,904" or 72%.
    assert csv_cell(-5) == "-5" and csv_cell("-5") == "-5" and csv_cell("+1") == "+1"
    assert csv_cell(11904) == "11904" and csv_cell(42.5) == "42.5" and csv_cell(0.25) == "0.25"
    assert csv_cell(True) == "true" and csv_cell("-1.5e3") == "-1.5e3"


def test_ordinary_csv_cells_are_kept():
    assert csv_cell("VEND-A") == "VEND-A" and csv_cell(12) == "12" and csv_cell(None) == ""


def test_text_from_data_is_html_escaped():
    assert esc('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
