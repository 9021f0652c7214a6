-- reason_note_ruled_out: the reasons each cohort note rules out (policy 8: "comp was not the
-- issue", "the flag was a namesake", "his extra years didn't matter"). A reason is ruled out
-- when every rule of it that matched the note is negated there, or when the note sets it aside
-- (a ruled-out part, not a mere negation cue) after its last plain statement: "the background
-- report did flag a record ... the check had nothing to do with it in the end".
-- Neither the text model, the records nor the ATS code can then decide it.
create or replace table reason_note_ruled_out as
select e.application_id, r.reason
from reason_text_evidence e
join reason_rules r using (rule_id)
where e.source_field = 'recruiter_note'
group by all
having bool_and(e.negated)
    or max(e.clause_no) filter (where e.ruled_out)
       > coalesce(max(e.clause_no) filter (where not e.negated), 0);
