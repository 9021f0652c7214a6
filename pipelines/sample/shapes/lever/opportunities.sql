-- Lever opportunities (GET /opportunities) from the contract's applications: id = application_id,
-- contact = candidate_id (the person), the current stage and stageChanges up to stage_reached,
-- archived {reason, archivedAt} for every decided outcome (hired: the "Hired" reason; see
-- _views.sql for the reason texts), null while pending; times in epoch milliseconds. Plus the
-- contact data a real export carries and the adapter must never read (name, e-mails, phones, a
-- resume link, an address).
select
    application_id as id,
    'Cand' || right(candidate_id, 4) || ' Person' || right(candidate_id, 3) as name,
    candidate_id as contact,
    '' as headline,
    stage_id as stage,
    'non-confidential' as confidentiality,
    application_id || ' Harbour Street, Springfield' as location,
    case when candidate_id is not null
         then [{'type': 'mobile', 'value': '+1 415 555 ' || right(candidate_id, 4)}] end as phones,
    case when candidate_id is not null then [lower(candidate_id) || '@mail.example.com'] end
        as emails,
    case when candidate_id is not null
         then ['https://files.example.com/resumes/' || candidate_id || '.pdf'] end as links,
    case when reason_type is not null
         then {'reason': reason_id, 'archivedAt': archived_ms} end as archived,
    []::varchar[] as tags,
    ['Company website'] as sources,
    stage_changes as stageChanges,
    'applied' as origin,
    recruiter as owner,
    [recruiter] as followers,
    [lever_application_id] as applications,
    applied_ms as createdAt,
    coalesce(archived_ms, stage_changes[-1].updatedAt, applied_ms) as updatedAt,
    coalesce(archived_ms, stage_changes[-1].updatedAt, applied_ms) as lastInteractionAt,
    coalesce(stage_changes[-1].updatedAt, applied_ms) as lastAdvancedAt,
    NULL::bigint as snoozedUntil,
    {'list': 'https://hire.lever.co/candidates',
     'show': 'https://hire.lever.co/candidates/' || application_id} as urls,
    false as isAnonymized,
    NULL::varchar as dataProtection
from l_opportunity
order by application_id
