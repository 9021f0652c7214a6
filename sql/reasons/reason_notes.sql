-- reason_notes: each cohort rejection's recruiter_note and ats_rejection_reason, lower-cased and
-- normalised once (shorthand and misspellings: the rules file's [[normalize]]), for the text
-- rules, the text model's tokens and its vetoes.
create or replace table reason_notes as
with texts as (
    select application_id, 'recruiter_note' as source_field, recruiter_note as raw_text
    from post_interview_rejections
    where nullif(trim(recruiter_note), '') is not null
    union all
    select application_id, 'ats_rejection_reason', ats_rejection_reason
    from post_interview_rejections
    where nullif(trim(ats_rejection_reason), '') is not null
)
select application_id, source_field, normalise_note(raw_text) as text
from texts;
