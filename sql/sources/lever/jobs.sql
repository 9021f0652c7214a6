-- jobs from a Lever postings export (GET /postings): one row per posting. Mapping rules:
--   job_id               'lever:' || id (posting ids are not personal; the prefix keeps them
--                        apart from other sources' ids)
--   job_family           categories.department, else categories.team
--   region               categories.location
--   opened_at            createdAt (epoch milliseconds) as a date
--   seniority            categories.level (Lever's own level, free text) by the names in
--                        lever.toml [custom_fields], through [codes.seniority] (Senior -> senior,
--                        Junior -> entry, Manager -> lead, ...); a level not listed there stays
--                        NULL (free text must not quarantine the posting and its applications)
--   advancement_outlook, employer_id
--                        categories named in lever.toml [custom_fields]; Lever has no such
--                        field: NULL unless an organisation keeps one there
-- Not mapped: the posting's owner and hiring manager (people), description and salary, tags.
with job as (
    select _row, id, text, state, createdAt, categories
    from src
),
fields as (
    select j._row, e.key as k, e.value ->> '$' as value
    from job j, json_each(j.categories) e
    where json_type(e.value) not in ('ARRAY', 'OBJECT', 'NULL')
),
field_names as materialized (
    select d.name, sf.column_name, sf.preference
    from (select distinct k as name from fields) d
    join source_fields sf on sf.field = norm(d.name)
),
picked as (
    select f._row, n.column_name, arg_min(f.value, n.preference) as value
    from fields f
    join field_names n on n.name = f.k
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
    'lever:' || j.id as job_id,
    c.employer_id,
    coalesce(j.categories ->> 'department', j.categories ->> 'team') as job_family,
    code('seniority', c.seniority) as seniority,
    j.categories ->> 'location' as region,
    ms_ts(j.createdAt)::date::varchar as opened_at,
    coalesce(code('advancement_outlook', c.advancement_outlook), c.advancement_outlook)
        as advancement_outlook,
    json_object(
        'id', j.id, 'text', scrub_text(j.text), 'state', j.state, 'createdAt', j.createdAt,
        'categories', json_object(
            'department', scrub_text(j.categories ->> 'department'),
            'team', scrub_text(j.categories ->> 'team'),
            'location', scrub_text(j.categories ->> 'location'),
            'level', scrub_text(j.categories ->> 'level'))
    )::varchar as _raw,
    case when j.id is null then 'Lever posting without an id' end as _problem
from job j
left join custom c using (_row)
order by j._row
