-- post_interview_rejections: applications rejected after a successful interview.
-- A success: in the application's last interview round every recommendation is a success value
-- (ignored values such as no_decision do not count either way) and at least one success is present
-- (interview_rounds.unanimous_yes of the last round).
create or replace table post_interview_rejections as
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
    -- the texts cut to what the readers read (reason_notes): a pasted thread of megabytes is not
    -- carried whole through the reason tables
    left(a.ats_rejection_reason, {{ note_chars }}) as ats_rejection_reason,
    length(a.ats_rejection_reason) > {{ note_chars }} as ats_rejection_reason_cut,
    left(a.recruiter_note, {{ note_chars }}) as recruiter_note,
    length(a.recruiter_note) > {{ note_chars }} as recruiter_note_cut,
    j.job_family,
    j.seniority,
    j.region,
    j.advancement_outlook,
    v."round" as last_round,
    v.panel as n_recommendations,
    v.mean_score
from applications a
join interview_rounds v using (application_id)
left join jobs j using (job_id)
where a.outcome = 'rejected'
  and v.is_last_round
  and v.unanimous_yes;
