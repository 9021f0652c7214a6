-- job_hires: the hired application(s) of each job, with what the competition rule compares
-- (experience, education). Its own table because a hire changes the reason of every other
-- application of the same job: an incremental run looks here to find the jobs whose hire has
-- changed or gone since it last ran (pipelines/reasons/changes.py).
create or replace table job_hires as
select job_id, application_id, years_experience, education
from applications
where outcome = 'hired';
