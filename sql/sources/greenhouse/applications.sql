-- applications from a Greenhouse Harvest applications export (GET /v1/applications): one row per
-- application record. Mapping rules:
--   application_id, candidate_id  keyed pseudonyms (HMAC-SHA-256) of id and candidate_id
--   job_id         'greenhouse:' || jobs[0].id; a prospect application on no job is quarantined
--   outcome        status active -> pending; hired -> hired; rejected -> by rejection_reason.type:
--                  "They rejected us" is the candidate's decision: offer_declined when the
--                  application was rejected at an offer stage or an offer for it was rejected,
--                  else withdrawn (both never in the post-interview cohort); "We rejected them",
--                  "None specified" or no reason -> rejected. converted (a prospect turned into
--                  a candidate application, exported on its own) is quarantined.
--   rejected_at_stage, stage_reached
--                  current_stage of a rejected application is the stage it was rejected at
--                  (canonical stage by the stage patterns in greenhouse.toml); stage_reached is
--                  that stage too, hired for a hire, the current stage of an active application.
--   decided_at     rejected_at (rejected); the accepted offer's resolved_at, else
--                  last_activity_at (hired); NULL while active
--   ats_rejection_reason  rejection_reason.name
--   recruiter_note the note of the reject action, which Greenhouse keeps only in the candidate's
--                  activity feed (no application id): each "Candidate Rejected" activity belongs
--                  to the candidate's rejected application rejected nearest to it (within
--                  note_window_days); body "Reason: <reason>\n\n<note>" -> <note>
--   years_experience, education, career_goal
--                  custom fields named in greenhouse.toml (the application's, then the
--                  candidate's); missing ones stay NULL
-- The BI connector's applications table (bi_connector_applications*.csv) is mapped by this file
-- too, after bi_connector_applications.sql gives its rows this shape.
-- Never read: names, e-mails, phones, addresses, attachments (resume links), answers, recruiter
-- and coordinator (people), source, location. Text kept is scrubbed (pipelines/scrub.py).
-- (Every CTE below that reads app makes DuckDB buffer app's rows: they are kept narrow, and the
-- application id's pseudonym is computed in the final select, not buffered.)
with app as (
    select _row, id, candidate_id,
           lower(status) as status, prospect, applied_at, rejected_at,
           last_activity_at,
           jobs -> '$[0]' ->> 'id' as job_raw,
           current_stage ->> 'name' as stage_name,
           current_stage ->> 'id' as stage_id,
           rejection_reason ->> 'name' as reason_name,
           rejection_reason -> 'type' ->> 'name' as reason_type,
           custom_fields, keyed_custom_fields, _shadowed
    from src
),
stage_names as (
    select stage_name, match_list('stages', stage_name) as stage,
           scrub_text(stage_name) as stage_scrubbed
    from (select distinct stage_name from app where stage_name is not null)
),
reasons as materialized (
    -- few distinct rejection reasons: scrubbed and mapped once each
    select reason_name, reason_type, scrub_text(reason_name) as reason_scrubbed,
           code('rejection_type', reason_type) as decided_by
    from (select distinct reason_name, reason_type from app)
),
offer as (
    select application_id,
           bool_or(lower(status) = 'rejected') as rejected,
           max(resolved_at) filter (where lower(status) = 'accepted') as accepted_at
    from greenhouse_offers
    group by all
),
rejection_activity as (
    -- the feed of one candidate (GET /v1/candidates/{id}/activity_feed): its candidate_id is a
    -- field of the object, else the file name's suffix (activity_feed-<candidate_id>.json)
    -- (activities are read as a list of (created_at, subject, body): see vendors.py)
    -- (a note cut to the contract's free-text max_chars at once: cut_text, pipelines/sources)
    select f.candidate_id, act.created_at, cut_text(act.body) as body
    from (select coalesce(candidate_id, id_in_file_name(filename, 'activity_feed'))
                     as candidate_id,
                 unnest(activities) as act
          from greenhouse_activity_feed) f
    where act.subject = 'Candidate Rejected' and f.candidate_id is not null
),
rejected as (
    -- each rejected application's rejection time, parsed once
    select _row, candidate_id, epoch(ts(rejected_at)) as rejected_epoch
    from app
    where status = 'rejected'
),
activity_application as (
    -- each activity belongs to the one rejected application of its candidate rejected nearest
    -- to it (a candidate may have several; ties: the first record), within note_window_days
    select candidate_id, created_at, body, best.distance, best._row
    from (
        select r.candidate_id, r.created_at, r.body,
               min({'distance': abs(r.created_epoch - a.rejected_epoch), '_row': a._row}) as best
        from (select candidate_id, created_at, body, epoch(ts(created_at)) as created_epoch
              from rejection_activity) r
        join rejected a on a.candidate_id = r.candidate_id
        where abs(r.created_epoch - a.rejected_epoch)
              <= 86400 * (select setting('note_window_days')::integer)
        group by r.candidate_id, r.created_at, r.body
    )
),
note as (
    select _row,
           arg_min(
               case when regexp_matches(body, '^\s*Reason:')
                    then nullif(trim(regexp_extract(body, '^[^\n]*\n\s*\n(?s:(.*))$', 1)), '')
                    else nullif(trim(body), '') end,
               distance
           ) as recruiter_note
    from activity_application
    group by _row
),
candidate_fields as (
    -- the custom fields of each application's candidate (one join for both kinds)
    select a._row, c.keyed_custom_fields, c.custom_fields
    from app a
    join greenhouse_candidates c on c.id = a.candidate_id
    where c.keyed_custom_fields is not null or c.custom_fields is not null
),
fields as (
    select a._row, 1 as origin, e.key as k, e.value ->> 'name' as label, e.value ->> 'value' as value
    from app a, json_each(a.keyed_custom_fields) e
    union all
    select a._row, 2, e.key, NULL, e.value ->> '$'
    from app a, json_each(a.custom_fields) e
    union all
    select c._row, 3, e.key, e.value ->> 'name', e.value ->> 'value'
    from candidate_fields c, json_each(c.keyed_custom_fields) e
    union all
    select c._row, 4, e.key, NULL, e.value ->> '$'
    from candidate_fields c, json_each(c.custom_fields) e
),
field_names as materialized (
    -- each distinct field key or label, normalised once, that names a canonical column (once per
    -- column: spellings that normalise alike would repeat every field row in the join below)
    select d.name, sf.column_name, min(sf.preference) as preference
    from (select distinct unnest([k, label]) as name from fields) d
    join source_fields sf on sf.field = norm(d.name)
    group by d.name, sf.column_name
),
picked as (
    -- per application and column, the value of the most preferred field (one pass, one group
    -- per application)
    select f._row,
           arg_min(f.value, f.origin * 1000 + n.preference)
               filter (where n.column_name = 'years_experience') as years_experience,
           arg_min(f.value, f.origin * 1000 + n.preference)
               filter (where n.column_name = 'education') as education,
           arg_min(f.value, f.origin * 1000 + n.preference)
               filter (where n.column_name = 'career_goal') as career_goal
    from (select _row, origin, value, unnest([k, label]) as name
          from fields where nullif(trim(value), '') is not null) f
    join field_names n using (name)
    group by f._row
),
candidate_pseudonym as materialized (
    select candidate_id, pseudonym('candidate', candidate_id) as pseudonym
    from (select distinct candidate_id from app where candidate_id is not null)
),
coded as materialized (
    -- the organisation's own values (codes.education, codes.career_goal), mapped once each
    select column_name, value, coalesce(code(column_name, value), value) as canonical
    from (select distinct 'education' as column_name, education as value
          from picked where education is not null
          union
          select distinct 'career_goal', career_goal from picked where career_goal is not null)
),
custom as (
    select p._row, p.years_experience, e.canonical as education, g.canonical as career_goal
    from picked p
    left join coded e on e.column_name = 'education' and e.value = p.education
    left join coded g on g.column_name = 'career_goal' and g.value = p.career_goal
)
select
    a._row,
    pseudonym('application', a.id) as application_id,
    'greenhouse:' || a.job_raw as job_id,
    cp.pseudonym as candidate_id,
    left(a.applied_at, 10) as applied_at,
    case when a.status = 'hired' then 'hired' else s.stage end as stage_reached,
    case a.status
        when 'active' then 'pending'
        when 'hired' then 'hired'
        when 'rejected' then
            case when r.decided_by = 'candidate' then
                     case when s.stage = 'offer' or o.rejected then 'offer_declined'
                          else 'withdrawn' end
                 else 'rejected' end
    end as outcome,
    left(case a.status when 'rejected' then a.rejected_at
                       when 'hired' then coalesce(o.accepted_at, a.last_activity_at) end, 10)
        as decided_at,
    c.years_experience,
    c.education,
    c.career_goal,
    a.reason_name as ats_rejection_reason,
    n.recruiter_note,
    case when a.status = 'rejected' then s.stage end as rejected_at_stage,
    json_object(
        'id', pseudonym('application', a.id), 'candidate_id', cp.pseudonym,
        'status', a.status, 'prospect', a.prospect, 'applied_at', a.applied_at,
        'rejected_at', a.rejected_at, 'job_id', a.job_raw,
        'current_stage', json_object('id', a.stage_id, 'name', s.stage_scrubbed),
        'rejection_reason', json_object('name', r.reason_scrubbed, 'type', a.reason_type)
    )::varchar as _raw,
    case
        when a._shadowed is not null then a._shadowed
        when a.status = 'converted'
            then 'converted Greenhouse prospect: the candidate application it became is its own record'
        when a.status not in ('active', 'rejected', 'hired')
            then 'Greenhouse application status is not one of active, rejected, hired, converted'
        when a.job_raw is null then 'Greenhouse application on no job (a prospect)'
    end as _problem
from app a
left join stage_names s using (stage_name)
left join offer o on o.application_id = a.id
left join note n using (_row)
left join custom c using (_row)
left join candidate_pseudonym cp on cp.candidate_id = a.candidate_id
left join reasons r on r.reason_name is not distinct from a.reason_name
                   and r.reason_type is not distinct from a.reason_type
