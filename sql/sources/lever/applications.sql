-- applications from a Lever opportunities export (GET /opportunities): one row per opportunity
-- (one candidacy of one person; at most one application). Mapping rules:
--   application_id, candidate_id  keyed pseudonyms (HMAC-SHA-256) of id and contact (the person)
--   job_id         'lever:' || the application's posting: applications.json by opportunityId,
--                  else an expanded applications[0].posting; an opportunity whose posting is
--                  unknown is quarantined
--   applied_at     the application's createdAt, else the opportunity's (epoch ms) as a date
--   outcome        archived (archived.reason, or the legacy top-level archiveReason) through the
--                  archive-reasons list (archive_reasons.json): type hired -> hired; non-hired ->
--                  rejected, unless its text is the candidate's decision (lever.toml
--                  archive_reasons patterns: "Offer declined" -> offer_declined; "Withdrew",
--                  "accepted another offer", "declined" ... -> withdrawn, offer_declined when
--                  archived at an offer stage; neither is ever in the post-interview cohort);
--                  not archived -> pending. An archive reason missing from the list (hired or
--                  not unknown) is quarantined.
--   rejected_at_stage, stage_reached
--                  the stage at archive time: the last stageChanges entry at or before the archive
--                  time (else the current stage), named by stages.json (a default id such as
--                  applicant-new or offer names itself), canonical by lever.toml's stage patterns;
--                  stage_reached is that stage too, hired for a hire, the current stage while
--                  active
--   decided_at     archived.archivedAt (else the legacy archivedAt) as a date; NULL while active
--   ats_rejection_reason  the archive reason's text (non-hired)
--   recruiter_note a note of the notes export (opportunityId, else the file name
--                  notes-<opportunityId>.json), not secret and not deleted, written within
--                  note_window_days of the archive time (the nearest); its text fields joined
--                  (a field of a text type - note, text, textarea - is text, as written; in
--                  another field a score, a yes/no answer or a list of choices is not, and a
--                  string that reads as JSON, "3" or "[1]", is taken for one).
--                  Lever attaches no note to the archive action itself.
--   years_experience, education, career_goal
--                  the application's customQuestions fields, by their label (lever.toml
--                  [custom_fields]); missing ones stay NULL
-- Never read: name, headline, location, emails, phones, links, resume, owner and followers
-- (people), sources, tags, dataProtection. Text kept is scrubbed (pipelines/scrub.py).
with opp as (
    select _row, id, pseudonym('application', id) as application_id, contact,
           stage as stage_now, stageChanges, createdAt, applications,
           coalesce(archived ->> 'reason', archiveReason) as reason_id,
           coalesce(archived ->> 'archivedAt', archivedAt) as archived_raw,
           ms_ts(coalesce(archived ->> 'archivedAt', archivedAt)) as archived_at,
           _shadowed
    from src
),
application as (
    -- the opportunity's application (Lever: at most one; the first if several)
    select opportunityId, posting, createdAt, customQuestions
    from lever_applications
    where opportunityId is not null
    qualify row_number() over (partition by opportunityId
                               order by try_cast(createdAt as bigint), id) = 1
),
linked as (
    select o.*,
           coalesce(a.posting, o.applications -> '$[0]' ->> 'posting') as posting,
           coalesce(a.createdAt, o.applications -> '$[0]' ->> 'createdAt', o.createdAt)
               as applied_raw,
           coalesce(a.customQuestions, o.applications -> '$[0]' -> 'customQuestions')
               as custom_questions
    from opp o
    left join application a on a.opportunityId = o.id
),
changes as (
    select _row, archived_at, c ->> 'toStageId' as stage_id, ms_ts(c ->> 'updatedAt') as changed_at, i
    from (select _row, archived_at, unnest(json_extract(stageChanges, '$[*]')) as c,
                 generate_subscripts(json_extract(stageChanges, '$[*]'), 1) as i
          from opp
          where archived_at is not null)
),
archive_stage as (
    -- the stage the opportunity was in when it was archived
    select _row, stage_id
    from changes
    where changed_at <= archived_at
    qualify row_number() over (partition by _row order by changed_at desc, i desc) = 1
),
staged as (
    select l.*,
           case when l.archived_at is not null or l.reason_id is not null
                then coalesce(s.stage_id, l.stage_now) else l.stage_now end as stage_id
    from linked l
    left join archive_stage s using (_row)
),
stage_names as materialized (
    -- few distinct stages: named, mapped and scrubbed once each
    select d.stage_id, match_list('stages', coalesce(st.text, d.stage_id)) as stage,
           scrub_text(st.text) as name_scrubbed
    from (select distinct stage_id from staged where stage_id is not null) d
    left join (select id, any_value(text) as text from lever_stages group by id) st
      on st.id = d.stage_id
),
reasons as materialized (
    select d.reason_id, r.text, lower(r.type) as type, scrub_text(r.text) as text_scrubbed,
           match_list('archive_reasons', r.text) as candidate_side
    from (select distinct reason_id from opp where reason_id is not null) d
    left join (select id, any_value(text) as text, any_value(type) as type
               from lever_archive_reasons group by id) r on r.id = d.reason_id
),
note_field as (
    -- a note's text fields, each cut to the contract's free-text max_chars before they are
    -- unnested, and the note they make below (cut_text, pipelines/sources). A field of a text
    -- type (note, text, textarea) is text, as written; another's value is text unless it reads
    -- as JSON that is not a string (a score, a yes/no, a list of choices). (Unnested whole, or
    -- with a filter that DuckDB pushes into the JSON reader, notes of megabytes ran out of
    -- memory: secret and deleted notes are dropped by a case.)
    select id, opportunity_id, created_at, value, i
    from (select id, created_at, opportunity_id, unnest(texts) as value,
                 generate_subscripts(texts, 1) as i
          from (select id, ms_ts(createdAt) as created_at,
                       coalesce(opportunityId, id_in_file_name(filename, 'notes'))
                           as opportunity_id,
                       case when coalesce(lower(secret), 'false') <> 'true' and deletedAt is null
                            then list_transform(fields, lambda f:
                                case when lower(f.type) in ('note', 'text', 'textarea')
                                          or coalesce(json_type(try_cast(f.value as json)),
                                                      'VARCHAR') = 'VARCHAR'
                                     then cut_text(f.value) end)
                       end as texts
                from lever_notes))
    where nullif(trim(value), '') is not null
),
note as (
    -- the nearest note to the archive time, within note_window_days
    select _row, body as recruiter_note
    from (select o._row, n.id,
                 cut_text(string_agg(trim(n.value), chr(10) order by n.i)) as body,
                 abs(epoch(any_value(n.created_at)) - epoch(any_value(o.archived_at)))
                     as distance
          from note_field n
          join (select _row, id, archived_at from opp where archived_at is not null) o
            on o.id = n.opportunity_id
          group by o._row, n.id)
    where distance <= 86400 * (select setting('note_window_days')::integer)
    qualify row_number() over (partition by _row order by distance, id) = 1
),
fields as (
    select _row, f ->> 'text' as label, f -> 'value' as value
    from (select _row, unnest(json_extract(custom_questions, '$[*].fields[*]')) as f
          from linked where custom_questions is not null)
),
field_names as materialized (
    select d.name, sf.column_name, sf.preference
    from (select distinct label as name from fields) d
    join source_fields sf on sf.field = norm(d.name)
),
picked as (
    select f._row, n.column_name, arg_min(f.value ->> '$', n.preference) as value
    from fields f
    join field_names n on n.name = f.label
    where json_type(f.value) not in ('NULL', 'ARRAY', 'OBJECT')
      and nullif(trim(f.value ->> '$'), '') is not null
    group by all
),
coded as materialized (
    select column_name, value, coalesce(code(column_name, value), value) as canonical
    from (select distinct column_name, value from picked)
),
custom as (
    select p._row,
           max(p.value) filter (where p.column_name = 'years_experience') as years_experience,
           max(c.canonical) filter (where p.column_name = 'education') as education,
           max(c.canonical) filter (where p.column_name = 'career_goal') as career_goal
    from picked p
    join coded c using (column_name, value)
    group by p._row
),
candidate_pseudonym as materialized (
    select contact, pseudonym('candidate', contact) as pseudonym
    from (select distinct contact from opp where contact is not null)
),
mapped as (
    select s.*, sn.stage, sn.name_scrubbed, r.text as reason_text, r.type as reason_type,
           r.text_scrubbed, r.candidate_side,
           s.archived_at is not null or s.reason_id is not null as archived,
           cp.pseudonym as candidate_pseudonym
    from staged s
    left join stage_names sn using (stage_id)
    left join reasons r using (reason_id)
    left join candidate_pseudonym cp using (contact)
)
select
    m._row,
    m.application_id,
    'lever:' || m.posting as job_id,
    m.candidate_pseudonym as candidate_id,
    ms_ts(m.applied_raw)::date::varchar as applied_at,
    case when m.archived and m.reason_type = 'hired' then 'hired' else m.stage end
        as stage_reached,
    case
        when not m.archived then 'pending'
        when m.reason_type = 'hired' then 'hired'
        when m.reason_type = 'non-hired' then
            case m.candidate_side
                when 'offer_declined' then 'offer_declined'
                when 'withdrawn' then
                    case when m.stage = 'offer' then 'offer_declined' else 'withdrawn' end
                else 'rejected'
            end
    end as outcome,
    case when m.archived then m.archived_at::date::varchar end as decided_at,
    c.years_experience,
    c.education,
    c.career_goal,
    case when m.reason_type = 'non-hired' then m.reason_text end as ats_rejection_reason,
    n.recruiter_note,
    case when m.reason_type = 'non-hired' then m.stage end as rejected_at_stage,
    json_object(
        'id', m.application_id, 'contact', m.candidate_pseudonym, 'posting', m.posting,
        'createdAt', m.createdAt, 'applied_at', m.applied_raw,
        'stage', json_object('id', m.stage_id, 'text', m.name_scrubbed),
        'archived', case when m.archived then json_object(
            'reason', m.reason_id, 'text', m.text_scrubbed, 'type', m.reason_type,
            'archivedAt', m.archived_raw) end
    )::varchar as _raw,
    case
        when m._shadowed is not null then m._shadowed
        when m.posting is null
            then 'Lever opportunity whose posting is unknown (its application is not in applications.json)'
        when m.archived and m.reason_id is null
            then 'Lever archived opportunity without an archive reason'
        when m.archived and m.reason_type is null
            then 'Lever archive reason not in archive_reasons.json: whether hired is unknown'
        when m.archived and m.reason_type not in ('hired', 'non-hired')
            then 'Lever archive reason type is not hired or non-hired'
    end as _problem
from mapped m
left join note n using (_row)
left join custom c using (_row)
order by m._row
