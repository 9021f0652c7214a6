-- Ashby departments (department.list results): one per contract job family (its name), the
-- departmentId of jobs.json.
select md5('ashby-department:' || job_family)::uuid as id, job_family as name,
       false as isArchived, NULL::uuid as parentId
from (select distinct job_family from c_jobs where job_family is not null)
order by name
