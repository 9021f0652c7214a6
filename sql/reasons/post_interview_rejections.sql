-- post_interview_rejections: applications rejected after a successful interview.
-- A success: in the application's last interview round every recommendation is a success value
-- (ignored values such as no_decision do not count either way) and at least one success is present.
create or replace table post_interview_rejections as
with last_round as (
    select application_id, max("round") as last_round
    from interviews
    group by application_id
),
last_round_votes as (
    select
        i.application_id,
        l.last_round,
        count(*) filter (where i.recommendation in {{ success }}) as n_success,
        count(*) filter (where i.recommendation not in {{ success }}
                           and i.recommendation not in {{ ignored }}) as n_other,
        count(*) as n_recommendations,
        avg(i.score) as mean_score
    from interviews i
    join last_round l on l.application_id = i.application_id and l.last_round = i."round"
    group by all
)
select
    a.application_id,
    a.job_id,
    a.stage_reached,
    a.applied_at,
    a.decided_at,
    date_trunc('month', coalesce(a.decided_at, a.applied_at)) as decision_month,
    a.years_experience,
    a.education,
    a.career_goal,
    a.ats_rejection_reason,
    a.recruiter_note,
    j.job_family,
    j.seniority,
    j.region,
    j.advancement_outlook,
    v.last_round,
    v.n_recommendations,
    v.mean_score
from applications a
join last_round_votes v using (application_id)
left join jobs j using (job_id)
where a.outcome = 'rejected'
  and v.n_success >= 1
  and v.n_other = 0;
