"""What the page builders share: the reason taxonomy (in the rules file's order) and the
population cubes (``population.py``) several pages read, built once per site."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.reasons.rules import Rules
from pipelines.reports.population import Population, PopulationData, build


@dataclass(frozen=True)
class ReportContext:
    reasons: tuple[str, ...]  # the reason taxonomy, in the order of the rules file
    population: Population

    @classmethod
    def from_rules(cls, rules: Rules, data: PopulationData) -> ReportContext:
        reasons = tuple(rules.reasons)
        return cls(reasons, build(data, reasons))
