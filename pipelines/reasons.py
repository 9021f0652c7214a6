"""Reason assignment for post-interview rejections: rules from ``rules/``, SQL from ``sql/reasons``.

The rules file holds the taxonomy, thresholds, normalisation, text patterns and calibrated
confidences; this module only loads it into small warehouse tables and fills the SQL templates.
Free of Dagster.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import load_contract
from pipelines.warehouse import PROJECT_ROOT, run_sql

RULES_FILE = PROJECT_ROOT / "rules" / "reasons_v1.toml"

# Where a clause ends: sentence ends, line breaks, dashes between words, and contrast words.
CLAUSE_SPLIT = r"[.;!?\n\r]+|\s[-–—]+\s|\(|\)|\b(?:but|however|although|though|whereas|yet|still)\b"
NEGATION_CUE = r"(?:\b(?:no|not|never|without|none|nothing|neither|nor)\b|n't\b)"
# Words that may stand between a negation cue and what it negates ("not a real budget issue").
NEGATION_GAP = r"(?:(?:a|an|the|any|real|major|big|obvious|such|much|further|other)\W+){0,2}"
# "no visa issue", "not a budget problem": the reason itself is said not to apply. This holds for
# every rule, even those whose own wording includes a negation ("no sponsorship available").
NOT_AN_ISSUE = r"\W+(?:\w+\W+){0,2}?(?:issues?|problems?|concerns?|factors?|reasons?|questions?)\b"

# The rules of sql/reasons/reason_structured_evidence.sql, and the reason each points to.
STRUCTURED_RULES = {
    "bg_adverse_action": "background_check",
    "competition_stronger_hire": "competition",
    "goal_ambitious_limited_role": "goal_mismatch",
    "goal_settled_growth_role": "goal_mismatch",
}

# The order SQL steps run in; each builds the table it is named after.
STEPS = [
    "post_interview_rejections",
    "background_check_status",
    "reason_structured_evidence",
    "reason_notes",
    "reason_text_evidence",
    "reason_note_tokens",
    "reason_text_model",
    "reason_assignments",
    "review_queue",
]


@dataclass(frozen=True)
class TextRule:
    id: str
    reason: str
    pattern: str
    weight: float
    negatable: bool = True
    unless: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Rules:
    version: str
    cohort: dict[str, list[str]]
    thresholds: dict[str, Any]
    clauses: dict[str, Any]
    taxonomy: list[dict[str, Any]]
    confidence: dict[str, float]
    normalize: list[tuple[str, str]]
    text_rules: list[TextRule]

    @property
    def reasons(self) -> list[str]:
        return [t["reason"] for t in self.taxonomy]


@cache
def load_rules(path: Path = RULES_FILE) -> Rules:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    rules = Rules(
        version=raw["version"],
        cohort=raw["cohort"],
        thresholds=raw["thresholds"],
        clauses=raw["clauses"],
        taxonomy=raw["taxonomy"],
        confidence=raw["confidence"],
        normalize=[(n["pattern"], n["replace"]) for n in raw.get("normalize", [])],
        text_rules=[TextRule(**r) for r in raw.get("text_rules", [])],
    )
    known = set(rules.reasons)
    for r in rules.text_rules:
        if r.reason not in known:
            raise ValueError(f"{path}: rule {r.id} names unknown reason {r.reason!r}")
    ids = [r.id for r in rules.text_rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: text rule ids must be unique")
    return rules


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _normalise_expr(rules: Rules) -> str:
    expr = "lower(raw_text)"
    for pattern, replace in rules.normalize:
        expr = f"regexp_replace({expr}, {_lit(pattern)}, {_lit(replace)}, 'g')"
    return expr


def _rule_match(rule: TextRule) -> str:
    """The rule's id when its pattern matches the clause; '!' + id when the clause cancels the
    match (a negation cue just before it, "no ... issue", or the rule's `unless`); else NULL."""
    cancels = []
    if rule.negatable:
        negated = NEGATION_CUE + r"\W+" + NEGATION_GAP + "(?:" + rule.pattern + ")"
        cancels.append(f"regexp_matches(clause, {_lit(negated)})")
    not_an_issue = NEGATION_CUE + r"\W+" + NEGATION_GAP + "(?:" + rule.pattern + ")" + NOT_AN_ISSUE
    cancels.append(f"regexp_matches(clause, {_lit(not_an_issue)})")
    if rule.unless:
        cancels.append(f"regexp_matches(clause, {_lit(rule.unless)})")
    return (
        f"case when regexp_matches(clause, {_lit(rule.pattern)}) then "
        f"case when {' or '.join(cancels)} then {_lit('!' + rule.id)} else {_lit(rule.id)} end end"
    )


def _model_vetoes(rules: Rules) -> str:
    """Per reason, whether the note matches an `unless` pattern of one of that reason's rules."""
    whens = []
    for reason in rules.reasons:
        vetoes = [r.unless for r in rules.text_rules if r.reason == reason and r.unless]
        if vetoes:
            pattern = "|".join(f"(?:{v})" for v in vetoes)
            whens.append(f"when {_lit(reason)} then regexp_matches(n.text, {_lit(pattern)})")
    return "case split_part(b.label, ':', 1) " + " ".join(whens) + " else false end"


def sql_params(rules: Rules) -> dict[str, str]:
    th = rules.thresholds
    education = load_contract().table("applications").column("education").values
    return {
        "success": _in_list(rules.cohort["success"]),
        "ignored": _in_list(rules.cohort["ignored"]),
        "background_results": _in_list(th["background_results"]),
        "background_adjudications": _in_list(th["background_adjudications"]),
        "background_stages": _in_list(th["background_stages"]),
        "min_experience_gap": str(float(th["competition_min_experience_gap"])),
        "education_counts": "true" if th["competition_education_higher"] else "false",
        "education_levels": "[" + ", ".join(_lit(v) for v in education) + "]",
        "normalise": _normalise_expr(rules),
        "clause_breaks": rules.clauses["breaks"].replace("'", "''"),
        "contrast_words": rules.clauses["contrast"].replace("'", "''"),
        "decisive_cue": rules.clauses["decisive_cue"].replace("'", "''"),
        "aftermath_cue": rules.clauses["aftermath_cue"].replace("'", "''"),
        "aftermath_penalty": str(float(rules.clauses["aftermath_penalty"])),
        "contrast_bonus": str(float(rules.clauses["contrast_bonus"])),
        "decisive_bonus": str(float(rules.clauses["decisive_bonus"])),
        "rule_matches": ",\n        ".join(_rule_match(r) for r in rules.text_rules),
        "ats_weight_factor": str(float(th["ats_weight_factor"])),
        "conflict_margin": str(float(th["conflict_margin"])),
        "review_below_confidence": str(float(th["review_below_confidence"])),
        "text_model_min_probability": str(float(th["text_model_min_probability"])),
        "model_vetoes": _model_vetoes(rules),
        "rules_version": rules.version,
    }


def register_rules(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """The rules as small tables, so the SQL can join them and users can query them."""
    con.execute(
        "create or replace table reason_taxonomy "
        "(reason varchar, priority integer, description varchar, details varchar[])"
    )
    con.executemany(
        "insert into reason_taxonomy values (?, ?, ?, ?)",
        [
            [t["reason"], t["priority"], t["description"], t.get("details", [])]
            for t in rules.taxonomy
        ],
    )
    con.execute(
        "create or replace table reason_rules (rule_id varchar, kind varchar, reason varchar, "
        "detail varchar, weight double, negatable boolean, pattern varchar, unless varchar)"
    )
    con.executemany(
        "insert into reason_rules values (?, 'text', ?, ?, ?, ?, ?, ?)",
        [
            [r.id, r.reason, r.detail, r.weight, r.negatable, r.pattern, r.unless]
            for r in rules.text_rules
        ],
    )
    con.executemany(
        "insert into reason_rules values (?, 'structured', ?, NULL, 1.0, false, NULL, NULL)",
        [[rule, reason] for rule, reason in STRUCTURED_RULES.items()],
    )
    con.execute(
        "insert into reason_rules values ('txt_model', 'model', NULL, NULL, NULL, false, NULL, NULL)"
    )
    con.execute("create or replace table reason_confidence (path varchar, confidence double)")
    con.executemany(
        "insert into reason_confidence values (?, ?)",
        [[k, float(v)] for k, v in rules.confidence.items()],
    )


def build_rule_audit(
    con: duckdb.DuckDBPyConnection,
    eval_precision: list[tuple[str, int, float]],
    rules: Rules | None = None,
) -> None:
    """``reason_rule_audit`` from the warehouse's evidence and the evaluation set's precision."""
    rules = rules or load_rules()
    con.execute(
        "create or replace table reason_rule_eval "
        "(rule_id varchar, eval_fired bigint, eval_precision double)"
    )
    if eval_precision:
        con.executemany(
            "insert into reason_rule_eval values (?, ?, ?)", [list(r) for r in eval_precision]
        )
    run_sql(con, "reasons/reason_rule_audit", **sql_params(rules))


def assign_reasons(con: duckdb.DuckDBPyConnection, rules: Rules | None = None) -> None:
    """Build the cohort, the evidence, the assignments and the review queue, in one transaction."""
    from pipelines.text_model import load_model  # text_model imports this module

    rules = rules or load_rules()
    params = sql_params(rules)
    con.execute("begin transaction")
    try:
        register_rules(con, rules)
        load_model(con)
        for step in STEPS:
            run_sql(con, f"reasons/{step}", **params)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
