-- Checkr adverse actions (GET /v1/adverse_actions) for checks with a pre- or post-adverse
-- action: created (the pre-adverse notice) the day after completion; complete once the
-- post-adverse notice went out (also when a dispute was upheld: the action went ahead); canceled when a dispute corrected the report; in dispute while a
-- dispute is open. The finding is the adverse item's text.
select
    'aa-' || application_id as id,
    'adverse_action' as object,
    case when dispute_outcome = 'corrected' then 'canceled'
         when disputed and coalesce(dispute_outcome, 'none') in ('none', 'pending') then 'dispute'
         when adjudication = 'post_adverse_action' or dispute_outcome = 'upheld' then 'complete'
         else 'pending' end as status,
    'rep-' || application_id as report_id,
    strftime(completed_at::date, '%Y-%m-%dT10:00:00Z') as created_at,
    strftime(coalesce(case when dispute_outcome = 'upheld' then dispute_resolved_at end,
                      completed_at::date + 7)::date, '%Y-%m-%dT10:00:00Z') as post_notice_ready_at,
    strftime(completed_at::date + 7, '%Y-%m-%dT10:00:00Z') as post_notice_scheduled_at,
    case when dispute_outcome = 'corrected'
         then strftime(dispute_resolved_at::date, '%Y-%m-%dT17:00:00Z') end as canceled_at,
    {'object': 'list', 'count': 1,
     'data': [{'id': 'item-' || application_id, 'object': 'adverse_item',
               'text': case finding when 'criminal_record' then 'Criminal record: misdemeanor'
                                    when 'identity' then 'Identity: SSN trace mismatch'
                                    when 'employment_history' then 'Employment verification: dates mismatch'
                                    when 'education' then 'Education verification: degree not confirmed'
                                    when 'credit' then 'Credit: bankruptcy on file'
                                    when 'driving' then 'License status: Suspended'
                                    when 'drug_test' then 'Drug screening: positive'
                                    else 'Record found' end}]} as adverse_items
from c_background_checks
where adjudication in ('pre_adverse_action', 'post_adverse_action') and completed_at is not null
order by application_id
