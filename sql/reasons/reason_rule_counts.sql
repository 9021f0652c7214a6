-- reason_rule_counts: per rule, what the rule audit reports about it, as counts over the cohort:
-- hits (applications it fired on), overlapping (of those, how many another rule fired on too),
-- conflicting (how many a rule for a different reason fired on too) and cited (how often the
-- assignments' evidence cites it). One row per rule that fired or is cited.
-- Every count is a sum over applications, so an incremental run subtracts the affected
-- applications' counts as they were and adds them as recomputed (pipelines/reasons/engine.py)
-- instead of recounting every hit of the warehouse; the rule audit reads the sums.
-- Two reasons fired exactly when the least and greatest hash of the application's reasons
-- differ: no distinct counts or string comparisons over millions of hits (the taxonomy's reason
-- names hash apart: tests/test_reasons.py checks).
create or replace table reason_rule_counts as
with per_application as (
    select application_id, count(*) > 1 as overlapping,
           min(hash(reason)) <> max(hash(reason)) as conflicting
    from reason_rule_hits
    group by application_id
),
-- Each hit with what its application's hits say; an aggregate joined back (a window over the
-- 6.6M hits at 10M applications cost 5.3 s of CPU). The view reason_rule_hits is read twice:
-- materializing it once measured the same (3.8-4.1 s either way).
fired as (
    select h.rule_id, a.overlapping, a.conflicting
    from reason_rule_hits h
    join per_application a using (application_id)
),
cited as (
    select unnest(json_extract_string(evidence, '$[*].rule')) as rule_id
    from reason_assignments
)
select rule_id,
       sum(hits)::bigint as hits,
       sum(overlapping)::bigint as overlapping,
       sum(conflicting)::bigint as conflicting,
       sum(cited)::bigint as cited
from (
    select rule_id, count(*) as hits, count(*) filter (where overlapping) as overlapping,
           count(*) filter (where conflicting) as conflicting, 0 as cited
    from fired
    group by rule_id
    union all
    select rule_id, 0, 0, 0, count(*)
    from cited
    group by rule_id
)
group by rule_id;
