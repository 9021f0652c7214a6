-- jobs from an Ashby jobs export (job.list results): one row per job. Mapping rules:
--   job_id               'ashby:' || id (job ids are not personal; the prefix keeps them apart
--                        from other sources' ids)
--   job_family           the department's name (departmentId -> departments.json, from
--                        department.list); NULL without it (Ashby has no job family)
--   region               the location's name (locationId -> locations.json, location.list)
--   opened_at            openedAt, else createdAt (its date as written)
--   seniority, advancement_outlook, employer_id
--                        customFields[] by title, names in ashby.toml [custom_fields]; not
--                        native: NULL when absent. Seniority through [codes.seniority] (a value
--                        not listed there stays NULL)
-- Not mapped: the hiring team and author (people), requisition id, employment type, postings.
with job as (
    select _row, id, title, status, departmentId, locationId, createdAt, openedAt, customFields
    from src
),
fields as (
    select _row, f ->> 'title' as label, coalesce(f ->> 'valueLabel', f ->> 'value') as value
    from (select _row, unnest(json_extract(customFields, '$[*]')) as f
          from job where customFields is not null)
),
field_names as materialized (
    select d.name, sf.column_name, sf.preference
    from (select distinct label as name from fields) d
    join source_fields sf on sf.field = norm(d.name)
),
picked as (
    select f._row, n.column_name, arg_min(f.value, n.preference) as value
    from fields f
    join field_names n on n.name = f.label
    where nullif(trim(f.value), '') is not null
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
    'ashby:' || j.id as job_id,
    c.employer_id,
    d.name as job_family,
    code('seniority', c.seniority) as seniority,
    l.name as region,
    left(coalesce(j.openedAt, j.createdAt), 10) as opened_at,
    coalesce(code('advancement_outlook', c.advancement_outlook), c.advancement_outlook)
        as advancement_outlook,
    json_object(
        'id', j.id, 'title', scrub_text(j.title), 'status', j.status,
        'departmentId', j.departmentId, 'locationId', j.locationId,
        'createdAt', j.createdAt, 'openedAt', j.openedAt
    )::varchar as _raw,
    case when j.id is null then 'Ashby job without an id' end as _problem
from job j
left join custom c using (_row)
left join (select id, any_value(name) as name from ashby_departments group by id) d
  on d.id = j.departmentId
left join (select id, any_value(name) as name from ashby_locations group by id) l
  on l.id = j.locationId
order by j._row
