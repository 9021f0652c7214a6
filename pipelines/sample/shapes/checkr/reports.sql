-- Checkr reports (GET /v1/reports) from the contract's background checks, in the lifecycle API's
-- terms: status pending / complete / canceled / dispute (a dispute not yet resolved), result,
-- adjudication. A report corrected after a dispute was re-completed when the dispute was resolved.
select
    'rep-' || application_id as id,
    'report' as object,
    case when result = 'pending' then 'pending'
         when result = 'canceled' then 'canceled'
         when disputed and coalesce(dispute_outcome, 'none') in ('none', 'pending') then 'dispute'
         else 'complete' end as status,
    case when result in ('clear', 'consider') then result end as result,
    nullif(adjudication, 'none') as adjudication,
    NULL as assessment,
    strftime(requested_at::date, '%Y-%m-%dT09:00:00Z') as created_at,
    case when dispute_outcome = 'corrected' and dispute_resolved_at is not null
         then strftime(dispute_resolved_at::date, '%Y-%m-%dT18:00:00Z')
         else strftime(completed_at::date, '%Y-%m-%dT09:30:00Z') end as completed_at,
    'cand-' || application_id as candidate_id,
    'tasker_standard' as package
from c_background_checks
order by application_id
