-- report_reason_mix: post-interview rejections by reason and by the dimensions the recruiting
-- lead asks about (decision month, job family, seniority).
create or replace table report_reason_mix as
select
    c.decision_month,
    coalesce(c.job_family, 'not recorded') as job_family,
    coalesce(c.seniority, 'not recorded') as seniority,
    a.reason,
    a.detail,
    count(*) as n
from reason_assignments a
join post_interview_rejections c using (application_id)
group by all;
