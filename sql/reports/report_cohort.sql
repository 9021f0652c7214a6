-- report_cohort: post-interview rejections (rejected although every last-round recommendation
-- was a yes) by decision month, job family, seniority, region, the stage at which they were
-- rejected and the reason assigned. The same dimensions as report_funnel, so a rate per
-- interviewed or per final-round candidate divides two cells of one filter combination.
create or replace table report_cohort as
select
    c.decision_month::date as month,
    left(coalesce(c.job_family, 'not recorded'), 400) as job_family,
    coalesce(c.seniority, 'not recorded') as seniority,
    left(coalesce(c.region, 'not recorded'), 400) as region,
    coalesce(c.stage_reached, 'applied') as stage,
    a.reason,
    count(*) as n
from post_interview_rejections c
join reason_assignments a using (application_id)
group by all;
