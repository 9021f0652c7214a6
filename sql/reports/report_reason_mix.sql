-- report_reason_mix: post-interview rejections by reason and by the dimensions the recruiting
-- lead asks about (decision month, job family, seniority), with the number of applications in
-- each job family and seniority level (a group of fewer than 11 is not named in the reports).
-- A job family is cut to 400 characters here: a huge label cannot weigh on this table, and the
-- reports show at most 40 (pipelines.reports.privacy.clean_label marks the cut).
create or replace table report_reason_mix as
with sizes as (
    select left(coalesce(j.job_family, 'not recorded'), 400) as job_family,
           coalesce(j.seniority, 'not recorded') as seniority,
           count(*) as applications
    from applications a
    left join jobs j using (job_id)
    group by all
),
family_sizes as (
    select job_family, sum(applications) as family_applications from sizes group by all
),
seniority_sizes as (
    select seniority, sum(applications) as seniority_applications from sizes group by all
),
mix as (
    select
        c.decision_month,
        left(coalesce(c.job_family, 'not recorded'), 400) as job_family,
        coalesce(c.seniority, 'not recorded') as seniority,
        a.reason,
        a.detail,
        count(*) as n
    from reason_assignments a
    join post_interview_rejections c using (application_id)
    group by all
)
select m.*,
       coalesce(f.family_applications, 0) as family_applications,
       coalesce(s.seniority_applications, 0) as seniority_applications
from mix m
left join family_sizes f using (job_family)
left join seniority_sizes s using (seniority);
