-- report_competition_gaps: for rejections put down to competition, how much stronger the person
-- hired for the same job was: years of experience (rounded) and education levels. The hires come
-- from job_hires (the reason engine's table of hired applications), not a scan of every
-- application.
create or replace table report_competition_gaps as
with hires as (
    select job_id, max(years_experience) as hire_years,
           max(list_position({{ education_levels }}, education)) as hire_education
    from job_hires
    group by job_id
)
select
    least(greatest(round(h.hire_years - c.years_experience), -5), 15)::integer as experience_gap_years,
    (h.hire_education - list_position({{ education_levels }}, c.education))::integer as education_gap_levels,
    count(*) as n
from reason_assignments a
join post_interview_rejections c using (application_id)
join hires h using (job_id)
where a.reason = 'competition'
group by all;
