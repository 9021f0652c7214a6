-- reason_rule_audit: how each rule behaves, the way weak-supervision tools report labeling
-- functions: coverage (share of the cohort it fires on), overlap (share of its hits where another
-- rule also fired), conflict (share of its hits where a rule for a different reason fired),
-- how often it is cited in the evidence of an assignment, and its precision on the labelled evaluation set
-- (reason_rule_eval, written by the audit asset from data/eval).
-- The counts come from reason_rule_counts, which the reason engine keeps up to date; a rule
-- that never fired has 0 hits, overlap and conflict.
create or replace table reason_rule_audit as
with cohort as (select count(*) as n from post_interview_rejections)
select
    r.rule_id,
    r.kind,
    r.reason,
    coalesce(k.hits, 0) as hits,
    round(coalesce(k.hits, 0) / greatest(c.n, 1), 4) as coverage,
    round(coalesce(k.overlapping / nullif(k.hits, 0), 0.0), 4) as overlap,
    round(coalesce(k.conflicting / nullif(k.hits, 0), 0.0), 4) as conflict,
    coalesce(k.cited, 0) as in_evidence,
    e.eval_fired as eval_hits,
    round(e.eval_precision, 4) as eval_precision,
    {{ rules_version }} as rules_version
from reason_rules r
cross join cohort c
left join reason_rule_counts k using (rule_id)
left join reason_rule_eval e using (rule_id)
order by r.reason, hits desc, r.rule_id;
