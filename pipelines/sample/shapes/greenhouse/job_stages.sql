-- Greenhouse job stages (GET /v1/job_stages): per job, one stage per interview round
-- ("Interview round <r>", priority r, with one interview whose id the scorecards reference), and
-- the stages applications sit in (named so the adapter's stage patterns map them back).
with rounds as (
    select distinct a.job_id, i."round"
    from c_interviews i join c_applications a using (application_id)
),
named as (
    select * from (values ('applied', 'Application Review', 0), ('screen', 'Recruiter Phone Screen', 1),
                          ('interview', 'Technical Interview', 50), ('final_interview', 'Onsite Interview', 60),
                          ('offer', 'Offer', 70), ('background_check', 'Background Check', 80))
        t(stage, name, priority)
)
select job_id || '-r' || "round" as id, 'Interview round ' || "round" as name, job_id,
       1 + "round" as priority,
       [{'id': job_id || '-i' || "round", 'name': 'Interview round ' || "round"}] as interviews
from rounds
union all
select j.job_id || '-' || n.stage, n.name, j.job_id, n.priority, []
from c_jobs j, named n
order by 3, 4
