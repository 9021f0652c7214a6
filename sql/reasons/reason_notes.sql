-- reason_notes: each cohort rejection's recruiter_note and ats_rejection_reason, lower-cased and
-- normalised once (shorthand and misspellings: the rules file's [[normalize]]), for the text
-- rules, the text model's tokens and its vetoes. Only the first characters of a text are read
-- (the rules file's note_chars, cut in post_interview_rejections: a pasted thread of megabytes
-- would take memory the readers do not have); `cut` marks a text read in part.
-- An ATS rejection reason is a pick-list value (15 distinct texts among 1.27M at 10M
-- applications): each distinct one is normalised once and joined back, instead of once per
-- rejection. Recruiter notes are free text, nearly all distinct: normalised row by row.
create or replace table reason_notes as
with notes as (
    select application_id, recruiter_note as raw_text, recruiter_note_cut as cut
    from post_interview_rejections
    where nullif(trim(recruiter_note), '') is not null
),
ats as (
    select application_id, ats_rejection_reason as raw_text, ats_rejection_reason_cut as cut
    from post_interview_rejections
    where nullif(trim(ats_rejection_reason), '') is not null
),
ats_texts as (
    select raw_text, normalise_note(raw_text) as text
    from (select distinct raw_text from ats)
)
select application_id, 'recruiter_note' as source_field, normalise_note(raw_text) as text, cut
from notes
union all
select a.application_id, 'ats_rejection_reason', t.text, a.cut
from ats a
join ats_texts t using (raw_text);
