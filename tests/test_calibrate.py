"""The confidence table: computed by `make calibrate` from leave-one-split-out decisions, never
typed by hand."""

from __future__ import annotations

import re

import polars as pl

from pipelines.calibrate import CAP, PATHS, PSEUDO_CASES, confidence_section, replace_section
from pipelines.reasons.rules import RULES_FILE


def scored(path_outcomes: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """Decisions: per path, (cases, right)."""
    rows = [
        {"split": "s", "decision_path": path, "correct": i < right}
        for path, (n, right) in path_outcomes.items()
        for i in range(n)
    ]
    return pl.DataFrame(rows)


def table(section: str) -> dict[str, tuple[float, int, int]]:
    """path -> (confidence, right, cases) as the section states them."""
    out = {}
    for m in re.finditer(r"^(\w+) = ([0-9.]+)\s+# (\d+) of (\d+) right$", section, re.M):
        out[m[1]] = (float(m[2]), int(m[3]), int(m[4]))
    return out


def test_a_rarely_seen_path_is_shrunk_towards_the_pooled_accuracy_and_none_is_certain():
    section = confidence_section(
        scored({"note_model": (400, 400), "note_rules": (100, 50), "ats_code": (1, 0)}),
        ("a", "b"),
    )
    got = table(section)
    overall = 450 / 501
    assert got["note_model"] == (CAP, 400, 400)  # always right, still not certain
    assert got["note_rules"][0] == round((50 + PSEUDO_CASES * overall) / 104, 2)
    # one wrong case moves a path only a fifth of the way from the pooled accuracy
    assert got["ats_code"][0] == round(PSEUDO_CASES * overall / 5, 2) > 0.7
    assert got["no_evidence"] == (round(overall, 2), 0, 0)  # never seen: the pooled accuracy
    assert list(got) == PATHS
    assert "(a, b;" in section


def test_the_committed_confidence_table_is_what_calibration_computes_from_its_counts():
    text = RULES_FILE.read_text(encoding="utf-8")
    start = text.index("[confidence]\n")
    section = text[start : text.index("\n# ---", start)]
    overall = float(re.search(r"overall accuracy \(([0-9.]+)\)", section)[1])
    got = table(section)
    assert list(got) == PATHS
    for path, (value, right, n) in got.items():
        expected = min((right + PSEUDO_CASES * overall) / (n + PSEUDO_CASES), CAP)
        assert value == round(expected, 2), path
    assert "make calibrate" in section
    # and writing a section back leaves the rest of the rules file as it is
    assert replace_section(text, section) == text
