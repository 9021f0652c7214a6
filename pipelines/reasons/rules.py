"""The reason rules (``rules/reasons_v1.toml``): loaded once, and turned into what the SQL needs.

The rules file holds the taxonomy, thresholds, note normalisation, text patterns and calibrated
confidences. This module loads it (:func:`load_rules`, cached: once per process), writes its small
tables into the warehouse (:func:`register_rules`), and generates three SQL macros from it, so
that ``sql/reasons/*.sql`` can be read on their own: ``normalise_note(text)`` (the [[normalize]]
rewrites), ``text_rule_hits(clause)`` (which text rules a clause matches, or cancels) and
``model_vetoed(reason, note)`` (the note rules a reason out: "screening came back fine"). Free of
Dagster.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import Contract
from pipelines.warehouse import PROJECT_ROOT, guarded_groups, guarded_rewrites, sql_literal

RULES_FILE = PROJECT_ROOT / "rules" / "reasons_v1.toml"

# Tables written from the rules file (by register_rules), read by sql/reasons.
RULE_TABLES = {
    "reason_taxonomy": "The reasons, their priority and details (rules file [[taxonomy]]).",
    "reason_rules": "Every rule: text rules with their reason, detail, weight and pattern; the "
    "structured rules; the text model (rules file [[text_rules]]).",
    "reason_confidence": "The calibrated confidence of each decision path (rules file [confidence]).",
}
# Written by the rule audit from the labelled evaluation set, read by sql/rule_audit.
AUDIT_INPUT_TABLES = {
    "reason_rule_eval": "Per rule: cases it fired on in the labelled evaluation set (data/eval) "
    "and the share whose true reason is its reason.",
}

NEGATION_CUE = r"(?:\b(?:no|not|never|without|none|nothing|neither|nor)\b|n't\b)"
# Words that may stand between a negation cue and what it negates ("not a real budget issue").
NEGATION_GAP = r"(?:(?:a|an|the|any|real|major|big|obvious|such|much|further|other)\W+){0,2}"
# "no visa issue", "not a budget problem": the reason itself is said not to apply. This holds for
# every rule, even those whose own wording includes a negation ("no sponsorship available").
NOT_AN_ISSUE = r"\W+(?:\w+\W+){0,2}?(?:issues?|problems?|concerns?|factors?|reasons?|questions?)\b"
# "not the visa", "wasn't about the money", "not due to the start date": "not" followed by an
# article or preposition names a reason only to set it aside. This also holds for rules whose own
# wording includes a negation ("can't sponsor"), which a verb follows instead.
NOT_THE = r"(?:\bnot|n't)\s+(?:(?:about|due to|because of|related to|down to|over|for|just|only|really|even|a|an|the|his|her|their|our|any)\s+){1,3}"

# The rules of sql/reasons/reason_structured_evidence.sql, and the reason each points to.
STRUCTURED_RULES = {
    "bg_adverse_action": "background_check",
    "competition_stronger_hire": "competition",
    "goal_ambitious_limited_role": "goal_mismatch",
    "goal_settled_growth_role": "goal_mismatch",
}


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
    # (the reason SQL joins the taxonomy by reason: a second entry would double rows)
    if len(known) != len(rules.reasons):
        raise ValueError(f"{path}: each [[taxonomy]] reason must be listed once")
    for r in rules.text_rules:
        if r.reason not in known:
            raise ValueError(f"{path}: rule {r.id} names unknown reason {r.reason!r}")
    ids = [r.id for r in rules.text_rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: text rule ids must be unique")
    # (reason_rule_hits counts on every rule id naming one kind of rule)
    taken = set(ids) & {*STRUCTURED_RULES, "txt_model"}
    if taken:
        raise ValueError(f"{path}: text rule ids {sorted(taken)} are names of other rules")
    return rules


def _in_list(values: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(sql_literal(v) for v in values) + ")"


def _negated(pattern: str) -> str:
    """``pattern`` right after a negation cue (a few filler words may stand between)."""
    return NEGATION_CUE + r"\W+" + NEGATION_GAP + f"(?:{pattern})"


def _rule_match(rule: TextRule) -> str:
    """The rule's id when its pattern matches the clause; '!' + id when the clause cancels the
    match (a negation cue just before it, "no ... issue", or the rule's `unless`); else NULL."""
    # The pattern-only cancels are one regex of alternatives: RE2 reads the clause once for all
    # of them. "no ... issue" is the negated pattern followed by more, so a negatable rule's
    # negation covers it already.
    negated = _negated(rule.pattern)
    alternatives = [negated if rule.negatable else negated + NOT_AN_ISSUE]
    alternatives.append(NOT_THE + f"(?:{rule.pattern})")
    pattern_cancels = "|".join(f"(?:{a})" for a in alternatives)
    cancels = [f"regexp_matches(clause, {sql_literal(pattern_cancels)})"]
    if rule.unless:
        # "came back clean" cancels; "did NOT clear" does not (policy: not clear = failed). Only
        # near the match and in its part of the clause: "ambition stuff was fine, the issue was
        # the drug test" is a failed test.
        near = (
            f"(?:{rule.unless})[^,;]{{0,40}}(?:{rule.pattern})"
            f"|(?:{rule.pattern})[^,;]{{0,40}}(?:{rule.unless})"
        )
        negated_unless = _negated(rule.unless)
        cancels.append(
            f"(regexp_matches(clause, {sql_literal(near)}) "
            f"and not regexp_matches(clause, {sql_literal(negated_unless)}))"
        )
    return (
        f"case when regexp_matches(clause, {sql_literal(rule.pattern)}) then "
        f"case when {' or '.join(cancels)} then {sql_literal('!' + rule.id)} "
        f"else {sql_literal(rule.id)} end end"
    )


# The rules' patterns are tried in groups of this size behind one test of the group's patterns
# (pipelines.warehouse.guarded_groups): at 1M applications, normalising 4.5 s -> 1.1 s, rule
# matching 3.3 s -> 1.5 s. One guard over all 34 text rules is 40x slower: RE2's automaton
# outgrows its memory budget.
GUARD_GROUP = 6


def rule_macros(rules: Rules) -> list[str]:
    """``create temp macro`` statements for the SQL functions generated from the rules file."""
    normalise = guarded_rewrites("lower(raw_text)", rules.normalize, GUARD_GROUP)
    lists = guarded_groups(
        rules.text_rules,
        lambda r: r.pattern,
        "clause",
        lambda group: "[" + ", ".join(_rule_match(r) for r in group) + "]",
        "[]",
        GUARD_GROUP,
    ) or ["[]::varchar[]"]
    hits = (
        lists[0] if len(lists) == 1 else "list_concat(\n        " + ",\n        ".join(lists) + ")"
    )
    # A model label is vetoed by the `unless` of the rules that read the same label: "other:visa"
    # by "doesn't need a visa", not by "references were good".
    by_label: dict[str, list[str]] = {}
    for r in rules.text_rules:
        if r.unless:
            label = f"other:{r.detail or ''}" if r.reason == "other" else r.reason
            by_label.setdefault(label, []).append(r.unless)
    vetoes = []
    for label, patterns in by_label.items():
        pattern = "|".join(f"(?:{v})" for v in patterns)
        # "did not clear", "not clean": a negated veto is no veto
        negated = _negated(pattern)
        vetoes.append(
            f"when {sql_literal(label)} then regexp_matches(note, {sql_literal(pattern)}) "
            f"and not regexp_matches(note, {sql_literal(negated)})"
        )
    return [
        f"create or replace temp macro normalise_note(raw_text) as {normalise}",
        "create or replace temp macro text_rule_hits(clause) as "
        f"list_filter({hits}, lambda r: r is not null)",
        "create or replace temp macro model_vetoed(label, note) as "
        f"case label {' '.join(vetoes)} else false end",
    ]


def sql_params(rules: Rules, contract: Contract) -> dict[str, str]:
    """The settings the SQL templates' ``{{ placeholders }}`` take, from the rules and contract."""
    th = rules.thresholds
    education = contract.table("applications").column("education").values
    return {
        "success": _in_list(rules.cohort["success"]),
        "ignored": _in_list(rules.cohort["ignored"]),
        "background_results": _in_list(th["background_results"]),
        "background_adjudications": _in_list(th["background_adjudications"]),
        "background_stages": _in_list(th["background_stages"]),
        "min_experience_gap": str(float(th["competition_min_experience_gap"])),
        "education_counts": "true" if th["competition_education_higher"] else "false",
        "education_levels": "[" + ", ".join(sql_literal(v) for v in education) + "]",
        "clause_breaks": sql_literal(rules.clauses["breaks"]),
        "contrast_words": sql_literal(rules.clauses["contrast"]),
        "decisive_cue": sql_literal(rules.clauses["decisive_cue"]),
        "aftermath_cue": sql_literal(rules.clauses["aftermath_cue"]),
        "boilerplate": sql_literal(rules.clauses["boilerplate"]),
        "negation_word": sql_literal(rules.clauses["negation_word"]),
        "ruled_out": sql_literal(rules.clauses["ruled_out"]),
        "dismissal": sql_literal(rules.clauses["dismissal"]),
        "dismissal_item": sql_literal(rules.clauses["dismissal_item"]),
        "dismissal_all": sql_literal(rules.clauses["dismissal_all"]),
        "note_chars": str(int(rules.clauses["note_chars"])),
        "list_item": sql_literal(rules.clauses["list_item"]),
        "list_subject": sql_literal(rules.clauses["list_subject"]),
        "hypothetical_words": "["
        + ", ".join(sql_literal(w) for w in rules.clauses["hypothetical_words"])
        + "]",
        "aftermath_penalty": str(float(rules.clauses["aftermath_penalty"])),
        "contrast_bonus": str(float(rules.clauses["contrast_bonus"])),
        "decisive_bonus": str(float(rules.clauses["decisive_bonus"])),
        "ats_weight_factor": str(float(th["ats_weight_factor"])),
        "conflict_margin": str(float(th["conflict_margin"])),
        "review_below_confidence": str(float(th["review_below_confidence"])),
        "model_sure": str(float(th["text_model_sure"])),
        "model_min": str(float(th["text_model_min"])),
        "rules_version": sql_literal(rules.version),
    }


def register_rules(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """The rules as small tables, so the SQL can join them and users can query them (the macros
    the SQL calls are connection-scoped: :func:`rule_macros`)."""
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
