-- jobs from a Greenhouse Harvest jobs export (GET /v1/jobs): one row per job record.
-- Mapping rules:
--   job_id               'greenhouse:' || id (job ids are not personal; the prefix keeps them
--                        apart from other sources' ids)
--   job_family           departments[0].name (Greenhouse has no job family)
--   region               offices[0].name
--   opened_at            opened_at, else created_at (its date as written)
--   seniority, advancement_outlook, employer_id
--                        custom fields named in greenhouse.toml (keyed_custom_fields by key or
--                        display name, then custom_fields by key); not native: NULL when absent
-- Not mapped: requisition id, hiring team (people), openings, notes (free text about the role).
with job as (
    select _row, id, name, status, opened_at, created_at, departments, offices,
           custom_fields, keyed_custom_fields
    from src
),
fields as (
    select j._row, 1 as origin, e.key as k, e.value ->> 'name' as label,
           coalesce(e.value ->> 'value', '') as value
    from job j, json_each(j.keyed_custom_fields) e
    union all
    select j._row, 2, e.key, NULL, e.value ->> '$'
    from job j, json_each(j.custom_fields) e
),
field_names as materialized (
    -- once per column: spellings that normalise alike would repeat every field row in the join
    select d.name, sf.column_name, min(sf.preference) as preference
    from (select distinct unnest([k, label]) as name from fields) d
    join source_fields sf on sf.field = norm(d.name)
    group by d.name, sf.column_name
),
picked as (
    select f._row, n.column_name, arg_min(f.value, f.origin * 1000 + n.preference) as value
    from (select _row, origin, value, unnest([k, label]) as name
          from fields where nullif(trim(value), '') is not null) f
    join field_names n using (name)
    group by all
),
custom as (
    select _row,
           max(value) filter (where column_name = 'seniority') as seniority,
           max(value) filter (where column_name = 'advancement_outlook') as advancement_outlook,
           max(value) filter (where column_name = 'employer_id') as employer_id
    from picked
    group by _row
)
select
    j._row,
    'greenhouse:' || j.id as job_id,
    c.employer_id,
    j.departments -> '$[0]' ->> 'name' as job_family,
    coalesce(code('seniority', c.seniority), c.seniority) as seniority,
    j.offices -> '$[0]' ->> 'name' as region,
    left(coalesce(j.opened_at, j.created_at), 10) as opened_at,
    coalesce(code('advancement_outlook', c.advancement_outlook), c.advancement_outlook)
        as advancement_outlook,
    json_object(
        'id', j.id, 'name', scrub_text(j.name), 'status', j.status,
        'opened_at', j.opened_at, 'created_at', j.created_at,
        'departments', scrub_text(j.departments -> '$[0]' ->> 'name')
    )::varchar as _raw,
    case when j.id is null then 'Greenhouse job without an id' end as _problem
from job j
left join custom c using (_row)
