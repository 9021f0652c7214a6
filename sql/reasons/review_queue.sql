-- review_queue: assignments a person should look at: low confidence, or the note and the
-- records (or two statements in the note) point different ways.
create or replace table review_queue as
select
    application_id,
    reason,
    detail,
    confidence,
    decision_path,
    case
        when decision_path like 'note_rules_conflict%' then 'the note states two different reasons'
        when decision_path like '%_over_records' then 'the note or the ATS code contradicts the records'
        when decision_path = 'structured_several' then 'the records point to several reasons'
        when reason = 'unknown' then 'no evidence at all'
        else 'low confidence'
    end as why,
    evidence,
    rules_version
from reason_assignments
where confidence < {{ review_below_confidence }}
   or decision_path like 'note_rules_conflict%'
   or decision_path like '%_over_records'
   or decision_path = 'structured_several';
