"""What the page builders need from the rules: the reason taxonomy, in the rules file's order."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.reasons.rules import Rules


@dataclass(frozen=True)
class ReportContext:
    reasons: tuple[str, ...]  # the reason taxonomy, in the order of the rules file

    @classmethod
    def from_rules(cls, rules: Rules) -> ReportContext:
        return cls(tuple(rules.reasons))
