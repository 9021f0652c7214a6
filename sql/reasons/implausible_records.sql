-- implausible_records: records that each passed the data contract but contradict another table,
-- so that no single row could be quarantined for it. Each is a warning (an asset check per rule
-- with its count), not an error: the reason engine still reads these records, and the
-- data-quality report shows the counts. The rules:
--   interview_after_decision   an interview dated after the application's decision
--   several_hires_for_one_job  a job with more than one hired application (one opening per job)
--   hired_after_adverse_action a hire whose background check ended in a post-adverse action
create or replace table implausible_records as
select 'interview_after_decision' as rule, 'interviews' as source_table,
       i.application_id as record_key, count(*) as n_rows
from interviews i
join applications a using (application_id)
where i.interviewed_at > a.decided_at
group by i.application_id

union all

select 'several_hires_for_one_job', 'applications', job_id, count(*)
from applications
where outcome = 'hired'
group by job_id
having count(*) > 1

union all

select 'hired_after_adverse_action', 'background_checks', b.application_id, 1
from background_checks b
join applications a using (application_id)
where a.outcome = 'hired' and b.adjudication = 'post_adverse_action';
