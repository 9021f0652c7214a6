-- reason_rule_audit: how each rule behaves, the way weak-supervision tools report labeling
-- functions: coverage (share of the cohort it fires on), overlap (share of its hits where another
-- rule also fired), conflict (share of its hits where a rule for a different reason fired),
-- how often it is cited in the evidence of an assignment, and its precision on the labelled evaluation set
-- (reason_rule_eval, written by the audit asset from data/eval).
create or replace table reason_rule_audit as
-- (reason_rule_hits has one row per application and rule, so counting an application's rows
-- counts its rules, and two reasons fired exactly when the least and greatest hash of its
-- reasons differ: no distinct counts, and no string comparisons, over millions of hits. The
-- taxonomy's few reason names hash apart: tests/test_reasons.py checks.)
with fired_reason as materialized (select * from reason_rule_hits),
per_app as (
    select application_id, count(*) as n_rules,
           min(hash(reason)) <> max(hash(reason)) as several_reasons
    from fired_reason
    group by application_id
),
decisive as (
    select rule_id, count(*) as n_decided
    from (select unnest(json_extract_string(evidence, '$[*].rule')) as rule_id
          from reason_assignments)
    group by 1
),
cohort as (select count(*) as n from post_interview_rejections)
select
    r.rule_id,
    r.kind,
    r.reason,
    count(f.application_id) as hits,
    round(count(f.application_id) / greatest(any_value(c.n), 1), 4) as coverage,
    round(avg(case when p.n_rules > 1 then 1.0 else 0.0 end), 4) as overlap,
    round(avg(case when p.several_reasons then 1.0 else 0.0 end), 4) as conflict,
    coalesce(any_value(d.n_decided), 0) as in_evidence,
    any_value(e.eval_fired) as eval_hits,
    round(any_value(e.eval_precision), 4) as eval_precision,
    {{ rules_version }} as rules_version
from reason_rules r
cross join cohort c
left join fired_reason f using (rule_id)
left join per_app p using (application_id)
left join decisive d using (rule_id)
left join reason_rule_eval e using (rule_id)
group by r.rule_id, r.kind, r.reason
order by r.reason, hits desc, r.rule_id;
