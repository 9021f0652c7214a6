-- reason_note_ruled_out: the reasons each cohort note rules out (policy 8: "comp was not the
-- issue", "the flag was a namesake", "his extra years didn't matter"). A reason is ruled out
-- when every rule of it that matched the note is negated there, or when the note sets it aside
-- (a ruled-out part, not a mere negation cue) after its last plain statement: "the background
-- report did flag a record ... the check had nothing to do with it in the end".
-- Per detail first: a reason is ruled out only when each of its details the note named is, so
-- that "Needs visa sponsorship. Location: fine." keeps `other` (the visa) while the location is
-- set aside.
-- Neither the text model, the records nor the ATS code can then decide it.
create or replace table reason_note_ruled_out as
select application_id, reason
from (
    select e.application_id, r.reason, coalesce(r.detail, '') as detail,
           bool_and(e.negated)
           or coalesce(max(e.clause_no) filter (where e.ruled_out)
                       > coalesce(max(e.clause_no) filter (where not e.negated), 0), false)
              as ruled_out
    from reason_text_evidence e
    join reason_rules r using (rule_id)
    where e.source_field = 'recruiter_note'
    group by all
)
group by all
having bool_and(ruled_out);
