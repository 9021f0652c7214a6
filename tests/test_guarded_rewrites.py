"""The guarded regex rewrites (pipelines.warehouse.guarded_rewrites) that normalise notes and
scrub free text: the guards only skip work, never change a result."""

import duckdb
import pytest

from pipelines.warehouse import guarded_rewrites, sql_literal

REWRITES = [
    (r"\byrs?\b", "years"),
    (r"\bexp\b", "experience"),
    (r"\b(\d+) years\b", r"\1-year"),  # matches only what the first rewrite wrote
    (r"[\w.]+@[\w.]+", "[email]"),
]
TEXTS = [
    "a plain note that no pattern matches",
    "5 yrs exp",
    "7 years of exp, mail jo@example.org",
    "",
    None,
]


def _unguarded(expr: str) -> str:
    for pattern, replacement in REWRITES:
        expr = f"regexp_replace({expr}, {sql_literal(pattern)}, {sql_literal(replacement)}, 'g')"
    return expr


@pytest.mark.parametrize("size", [1, 2, 4])
def test_guarded_rewrites_give_what_every_rewrite_in_order_gives(size):
    con = duckdb.connect()
    con.execute("create table notes (t varchar)")
    con.executemany("insert into notes values (?)", [[t] for t in TEXTS])
    got, want = (
        con.execute(f"select {expr} from notes order by rowid").fetchall()
        for expr in (guarded_rewrites("t", REWRITES, size), _unguarded("t"))
    )
    assert got == want
    assert want[1] == ("5-year experience",) and want[0] == (TEXTS[0],)
