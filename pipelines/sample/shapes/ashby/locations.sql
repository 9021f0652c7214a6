-- Ashby locations (location.list results): one per contract region (its name), the locationId of
-- jobs.json.
select md5('ashby-location:' || region)::uuid as id, region as name, false as isArchived,
       false as isRemote, NULL::uuid as parentLocationId
from (select distinct region from c_jobs where region is not null)
order by name
