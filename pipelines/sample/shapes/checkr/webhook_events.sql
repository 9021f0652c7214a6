-- Checkr webhook events: report.disputed for every disputed check (the one record of a dispute
-- that ended upheld), and report.post_adverse_action when the post-adverse notice went out.
select 'ev-d-' || application_id as id, 'event' as object, 'report.disputed' as type,
       strftime(coalesce(completed_at::date + 2, requested_at::date), '%Y-%m-%dT11:00:00Z') as created_at,
       {'object': {'id': 'rep-' || application_id, 'object': 'report'}} as data
from c_background_checks
where disputed
union all
select 'ev-p-' || application_id, 'event', 'report.post_adverse_action',
       strftime(coalesce(case when dispute_outcome = 'upheld' then dispute_resolved_at end,
                         completed_at::date + 7)::date, '%Y-%m-%dT10:00:05Z'),
       {'object': {'id': 'rep-' || application_id, 'object': 'report'}}
from c_background_checks
where (adjudication = 'post_adverse_action' or dispute_outcome = 'upheld')
  and coalesce(dispute_outcome, 'none') <> 'corrected'
  and completed_at is not null
