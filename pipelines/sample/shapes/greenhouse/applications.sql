-- Greenhouse applications (GET /v1/applications) from the contract's applications: status from
-- the outcome (withdrawn and offer_declined are rejections of type "They rejected us"), the
-- current stage named after stage_reached, the ATS reason as rejection_reason.name, experience /
-- education / career goal as keyed custom fields, plus personal data the adapter must never
-- read (an attachment with a resume link, a location address).
select
    application_id as id,
    candidate_id,
    false as prospect,
    case outcome when 'hired' then 'hired' when 'pending' then 'active' else 'rejected' end as status,
    strftime(applied_at::date, '%Y-%m-%dT08:00:00.000Z') as applied_at,
    -- a time of day of its own (Greenhouse stamps to the millisecond)
    case when outcome in ('rejected', 'withdrawn', 'offer_declined')
         then strftime(decided_at::date + to_seconds(28800 + hash(application_id) % 36000),
                       '%Y-%m-%dT%H:%M:%S.000Z') end as rejected_at,
    strftime(coalesce(decided_at, applied_at)::date, '%Y-%m-%dT17:00:00.000Z') as last_activity_at,
    [{'id': job_id, 'name': 'Role ' || job_id}] as jobs,
    case when stage_reached is not null and stage_reached <> 'hired' and outcome <> 'hired'
         then {'id': job_id || '-' || stage_reached,
               'name': case stage_reached when 'applied' then 'Application Review'
                                          when 'screen' then 'Recruiter Phone Screen'
                                          when 'interview' then 'Technical Interview'
                                          when 'final_interview' then 'Onsite Interview'
                                          when 'offer' then 'Offer'
                                          else 'Background Check' end} end as current_stage,
    case when outcome in ('rejected', 'withdrawn', 'offer_declined')
         then {'id': 8, 'name': nullif(ats_rejection_reason, ''),
               'type': {'id': 1, 'name': case when outcome = 'rejected' then 'We rejected them'
                                              else 'They rejected us' end}} end
        as rejection_reason,
    {'career_goal': {'name': 'Career goal', 'type': 'single_select', 'value': career_goal},
     'years_of_experience': {'name': 'Years of experience', 'type': 'number',
                             'value': years_experience},
     'education_level': {'name': 'Education level', 'type': 'single_select', 'value': education}}
        as keyed_custom_fields,
    {'address': application_id || ' Harbour Street, Springfield'} as location,
    [{'filename': 'resume_' || candidate_id || '.pdf',
      'url': 'https://files.example.com/resumes/' || candidate_id || '.pdf',
      'type': 'resume'}] as attachments
from c_applications
order by application_id
