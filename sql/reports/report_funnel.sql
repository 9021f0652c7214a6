-- report_funnel: applications by the stage they reached and their outcome, per decision month
-- (the month decided, or applied while pending), job family, seniority and region: the funnel,
-- the denominators of every rate "per interviewed" and "per final-round candidate", and the
-- candidate-side outcomes (withdrawn, offer declined). Counts only; the pages suppress small
-- cells per filter combination (pipelines/reports/suppression.py). Labels are cut to 400
-- characters (the reports show at most 40).
-- The 400,000 jobs of a 10M warehouse fall into a few hundred (family, seniority, region)
-- groups: the applications join a group number and are counted per group, and the labels
-- come back on the few thousand counts (2.6 s instead of 4.3 s at 10M applications).
create or replace table report_funnel as
with job_labels as (
    select job_id,
           left(coalesce(job_family, 'not recorded'), 400) as job_family,
           coalesce(seniority, 'not recorded') as seniority,
           left(coalesce(region, 'not recorded'), 400) as region
    from jobs
),
label_groups as (
    select job_family, seniority, region, row_number() over () as label_group
    from (select distinct job_family, seniority, region from job_labels)
),
job_groups as (
    select j.job_id, g.label_group
    from job_labels j
    join label_groups g using (job_family, seniority, region)
),
counted as (
    select g.label_group,
           date_trunc('month', coalesce(a.decided_at, a.applied_at)) as month,
           coalesce(a.stage_reached, 'applied') as stage,
           a.outcome,
           count(*) as n
    from applications a
    left join job_groups g using (job_id)
    group by all
)
select c.month,
       coalesce(l.job_family, 'not recorded') as job_family,
       coalesce(l.seniority, 'not recorded') as seniority,
       coalesce(l.region, 'not recorded') as region,
       c.stage, c.outcome, sum(c.n)::bigint as n
from counted c
left join label_groups l using (label_group)
group by all;
