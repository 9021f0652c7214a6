-- report_funnel: applications by the stage they reached and their outcome, per decision month
-- (the month decided, or applied while pending), job family, seniority and region: the funnel,
-- the denominators of every rate "per interviewed" and "per final-round candidate", and the
-- candidate-side outcomes (withdrawn, offer declined). Counts only; the pages suppress small
-- cells per filter combination (pipelines/reports/suppression.py). Labels are cut to 400
-- characters (the reports show at most 40).
create or replace table report_funnel as
select
    date_trunc('month', coalesce(a.decided_at, a.applied_at)) as month,
    left(coalesce(j.job_family, 'not recorded'), 400) as job_family,
    coalesce(j.seniority, 'not recorded') as seniority,
    left(coalesce(j.region, 'not recorded'), 400) as region,
    coalesce(a.stage_reached, 'applied') as stage,
    a.outcome,
    count(*) as n
from applications a
left join jobs j using (job_id)
group by all;
