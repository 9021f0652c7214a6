-- Lever notes (GET /opportunities/:id/notes, one JSON line per note with the opportunity's id
-- added, as the adapter reads it): the contract's recruiter note. Lever attaches no note to the
-- archive action, so the note is written 5 minutes after the archive time (the adapter takes the
-- note nearest the archive time within note_window_days); an active opportunity's note a day
-- after it was created (the adapter reads none for it). Never secret, one "note" field.
select
    md5('lever-note:' || application_id)::uuid as id,
    application_id as opportunityId,
    'Note' as text,
    [{'createdAt': coalesce(archived_ms + 300000, applied_ms + 86400000),
      'score': NULL::varchar,
      'stage': stage_id,
      'text': 'Comment',
      'type': 'note',
      'user': recruiter,
      'value': recruiter_note}] as fields,
    recruiter as user,
    false as secret,
    coalesce(archived_ms + 300000, applied_ms + 86400000) as completedAt,
    NULL::bigint as deletedAt,
    coalesce(archived_ms + 300000, applied_ms + 86400000) as createdAt
from l_opportunity
where nullif(trim(recruiter_note), '') is not null
order by application_id
