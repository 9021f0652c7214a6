-- applications from an Ashby applications export (application.list / application.info results):
-- one row per application. Mapping rules:
--   application_id, candidate_id  keyed pseudonyms (HMAC-SHA-256) of id and candidate.id (of
--                  the candidate object only the id is parsed)
--   job_id         'ashby:' || job.id; an application on no job is quarantined
--   applied_at     createdAt (its date as written)
--   outcome        status Active, Lead -> pending; Hired -> hired; Archived -> by
--                  archiveReason.reasonType (else the reason's archive_reasons.json record):
--                  RejectedByOrg -> rejected; RejectedByCandidate is the candidate's decision:
--                  offer_declined when archived at an offer stage, else withdrawn (never in the
--                  post-interview cohort); Other -> rejected, its text kept (scrubbed) as the ATS
--                  rejection reason; no reason -> rejected
--   rejected_at_stage, stage_reached
--                  the stage before archiving: currentInterviewStage of an archived application
--                  is the Archived stage itself, so the stage is the last one entered (at or
--                  before archivedAt) that is not of type Archived, from the application history
--                  (applicationHistory[] of application.info with expand, or an
--                  application_history export of application.listHistory: applicationId, else
--                  the file name application_history-<applicationId>.json), stage type from
--                  interview_stages.json; without a history the current stage if it is not the
--                  Archived stage, else NULL. Canonical by ashby.toml's stage patterns on the
--                  stage title. stage_reached is that stage too, hired for a hire, the current
--                  stage while active or a lead
--   decided_at     archivedAt (else updatedAt) when archived; entry into the Hired stage (the
--                  history), else updatedAt, when hired; NULL otherwise
--   ats_rejection_reason  archiveReason.text (scrubbed on staging)
--   years_experience, education, career_goal
--                  customFields[] by title, names in ashby.toml [custom_fields]; missing: NULL
--   recruiter_note Ashby keeps no note on the archive action: notes live on the candidate
--                  (candidate.listNotes results, the candidate_notes files: one JSON array per
--                  candidate, candidate_notes-<candidateId>.json, or JSON Lines / arrays of notes
--                  that each carry candidateId; of a note only id, candidateId, createdAt,
--                  content and isPrivate are parsed). Each note that is not private belongs to
--                  the candidate's archived application archived (archivedAt, else updatedAt)
--                  nearest to its createdAt, within note_window_days (ashby.toml; ties: the
--                  first record); an application's note is the nearest of its notes (ties: the
--                  lowest note id). content is HTML: tags dropped (line breaks and block
--                  elements as new lines, whitespace collapsed as a browser does), entities
--                  decoded, so that the text is scrubbed on staging like any kept text
-- Never read: the candidate's name, e-mail and phone, hiring team, credited user, a note's
-- author (people), source, submitter IP and user agent. Text kept is scrubbed
-- (pipelines/scrub.py).
with app as (
    select _row, id, pseudonym('application', id) as application_id,
           struct_extract(candidate, 'id') as candidate_raw, lower(status) as status, createdAt, updatedAt,
           archivedAt, job ->> 'id' as job_raw,
           currentInterviewStage ->> 'title' as current_title,
           currentInterviewStage ->> 'type' as current_type,
           archiveReason ->> 'id' as reason_id,
           archiveReason ->> 'text' as reason_text_inline,
           archiveReason ->> 'reasonType' as reason_type_inline,
           customFields, applicationHistory, _shadowed
    from src
),
stage_types as (
    select id, any_value(title) as title, any_value(type) as type
    from ashby_interview_stages group by id
),
history as (
    select _row, stage_id, title, ts(entered_at) as entered_at, stage_number
    from (select _row, h ->> 'stageId' as stage_id, h ->> 'title' as title,
                 h ->> 'enteredStageAt' as entered_at,
                 try_cast(h ->> 'stageNumber' as integer) as stage_number
          from (select _row, unnest(json_extract(applicationHistory, '$[*]')) as h
                from app where applicationHistory is not null))
    union all
    select a._row, h.stageId, h.title, ts(h.enteredStageAt), try_cast(h.stageNumber as integer)
    from (select coalesce(applicationId, id_in_file_name(filename, 'application_history'))
                     as application_id,
                 stageId, title, enteredStageAt, stageNumber
          from ashby_application_history) h
    join app a on a.id = h.application_id
),
visit as (
    select h._row, coalesce(h.title, st.title) as title,
           coalesce(st.type, case when lower(coalesce(h.title, st.title)) = 'archived'
                                  then 'Archived' end) as type,
           h.entered_at, h.stage_number
    from history h
    left join stage_types st on st.id = h.stage_id
),
before_archive as (
    -- the last stage entered before the application was archived
    select v._row, v.title
    from visit v
    join app a using (_row)
    where a.status = 'archived' and coalesce(v.type, '') not in ('Archived', 'Hired')
      and (a.archivedAt is null or v.entered_at <= ts(a.archivedAt))
    qualify row_number() over (partition by v._row
                               order by v.entered_at desc nulls last,
                                        v.stage_number desc nulls last) = 1
),
hired_visit as (
    select _row, min(entered_at) as hired_at from visit where type = 'Hired' group by _row
),
staged as (
    select a.*,
           case a.status
               when 'archived' then coalesce(b.title,
                   case when coalesce(a.current_type, '') <> 'Archived'
                         and lower(coalesce(a.current_title, '')) <> 'archived'
                        then a.current_title end)
               else a.current_title
           end as stage_title,
           h.hired_at
    from app a
    left join before_archive b using (_row)
    left join hired_visit h using (_row)
),
stage_names as materialized (
    select stage_title, match_list('stages', stage_title) as stage,
           scrub_text(stage_title) as title_scrubbed
    from (select distinct stage_title from staged where stage_title is not null)
),
reasons as materialized (
    -- few distinct archive reasons: looked up, typed and scrubbed once each
    select d.reason_id, d.reason_text_inline, d.reason_type_inline,
           coalesce(d.reason_text_inline, r.text) as text,
           coalesce(d.reason_type_inline, r.reasonType) as reason_type,
           code('reason_type', coalesce(d.reason_type_inline, r.reasonType)) as decided_by,
           scrub_text(coalesce(d.reason_text_inline, r.text)) as text_scrubbed
    from (select distinct reason_id, reason_text_inline, reason_type_inline from app) d
    left join (select id, any_value(text) as text, any_value(reasonType) as reasonType
               from ashby_archive_reasons group by id) r on r.id = d.reason_id
),
fields as (
    select _row, f ->> 'title' as label, coalesce(f ->> 'valueLabel', f ->> 'value') as value
    from (select _row, unnest(json_extract(customFields, '$[*]')) as f
          from app where customFields is not null)
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
    select candidate_raw, pseudonym('candidate', candidate_raw) as pseudonym
    from (select distinct candidate_raw from app where candidate_raw is not null)
),
candidate_note as (
    -- the candidate's notes (candidate.listNotes): its id is the note's candidateId, else the
    -- file name's suffix (candidate_notes-<candidateId>.json); private notes are not read
    -- (cut to the contract's free-text max_chars at once: cut_text, pipelines/sources)
    select id, candidate_id, epoch(ts(createdAt)) as created_epoch, cut_text(content) as content
    from (select id, createdAt, content, isPrivate,
                 coalesce(candidateId, id_in_file_name(filename, 'candidate_notes'))
                     as candidate_id
          from ashby_candidate_notes)
    where candidate_id is not null and coalesce(lower(isPrivate), 'false') <> 'true'
      and nullif(trim(content), '') is not null
),
note_markup as (
    -- HTML as text: whitespace collapsed as a browser does; comments, scripts and styles
    -- dropped; a line break or a block element (paragraph, list item ...) a new line (one for
    -- a run of them); every other tag dropped. Text without a tag is kept as written.
    select id, candidate_id, created_epoch,
           case when regexp_matches(content, '</?[A-Za-z][^<>]*>|<!--') then
               regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                   regexp_replace(content, '\s+', ' ', 'g'),
                   '(?is)<!--.*?-->|<(?:script|style)\b.*?</(?:script|style)\s*>', '', 'g'),
                   '(?i)<br\s*/?>|</?(?:p|div|li|ul|ol|h[1-6]|pre|blockquote|tr|table)\b[^<>]*>',
                   chr(10), 'g'),
                   '</?[A-Za-z][^<>]*>', '', 'g'),
                   ' {2,}', ' ', 'g'),
                   '[ \n]*\n[ \n]*', chr(10), 'g')
           else content end as text
    from candidate_note
),
note_text as (
    -- character references decoded: named ones, then numeric ones (&#64; &#x40;), &amp; last
    -- (so "&amp;lt;" is "&lt;")
    select id, candidate_id, created_epoch,
           nullif(trim(case when text like '%&%' then replace(array_to_string(list_transform(
                    string_split_regex(named, '&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});'),
                    lambda part, i: part || coalesce(chars[i], '')), ''), '&amp;', '&')
                else text end, ' ' || chr(10)), '') as text
    from (select *,
                 replace(replace(replace(replace(replace(replace(replace(replace(replace(
                 replace(replace(text, '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'),
                 '&quot;', '"'), '&apos;', ''''), '&lsquo;', '‘'), '&rsquo;', '’'),
                 '&ldquo;', '“'), '&rdquo;', '”'), '&ndash;', '–'), '&mdash;', '—') as named,
                 list_transform(regexp_extract_all(named,
                                    '&#([0-9]{1,7}|[xX][0-9a-fA-F]{1,6});', 1),
                                lambda e: case when e ilike 'x%'
                                               then try_cast('0x' || substr(e, 2) as integer)
                                               else try_cast(e as integer) end) as codes,
                 list_transform(codes, lambda n: case when n between 1 and 1114111
                                                       and n not between 55296 and 57343
                                                      then chr(n) else '' end) as chars
          from note_markup)
),
archived as (
    -- each archived application's archive time, parsed once
    select _row, candidate_raw, epoch(ts(coalesce(archivedAt, updatedAt))) as archived_epoch
    from app
    where status = 'archived' and candidate_raw is not null
),
note_application as (
    -- each note belongs to the one archived application of its candidate archived nearest to
    -- it (a candidate may have several; ties: the first record), within note_window_days
    select id, text, best.distance, best._row
    from (
        select n.id, n.candidate_id, n.created_epoch, n.text,
               min({'distance': abs(n.created_epoch - a.archived_epoch), '_row': a._row}) as best
        from note_text n
        join archived a on a.candidate_raw = n.candidate_id
        where n.text is not null
          and abs(n.created_epoch - a.archived_epoch)
              <= 86400 * (select setting('note_window_days')::integer)
        group by n.id, n.candidate_id, n.created_epoch, n.text
    )
),
note as (
    -- an application's note: the nearest of the notes that belong to it
    select _row, arg_min(text, {'distance': distance, 'id': id}) as recruiter_note
    from note_application
    group by _row
)
select
    s._row,
    s.application_id,
    'ashby:' || s.job_raw as job_id,
    cp.pseudonym as candidate_id,
    left(s.createdAt, 10) as applied_at,
    case when s.status = 'hired' then 'hired' else sn.stage end as stage_reached,
    case s.status
        when 'active' then 'pending'
        when 'lead' then 'pending'
        when 'hired' then 'hired'
        when 'archived' then
            case when r.decided_by = 'candidate' then
                     case when sn.stage = 'offer' then 'offer_declined' else 'withdrawn' end
                 else 'rejected' end
    end as outcome,
    case s.status
        when 'archived' then left(coalesce(s.archivedAt, s.updatedAt), 10)
        when 'hired' then coalesce(s.hired_at::date::varchar, left(s.updatedAt, 10))
    end as decided_at,
    c.years_experience,
    c.education,
    c.career_goal,
    case when s.status = 'archived' then r.text end as ats_rejection_reason,
    n.recruiter_note,
    case when s.status = 'archived' then sn.stage end as rejected_at_stage,
    json_object(
        'id', s.application_id, 'candidate', json_object('id', cp.pseudonym),
        'status', s.status, 'createdAt', s.createdAt, 'updatedAt', s.updatedAt,
        'archivedAt', s.archivedAt, 'job', json_object('id', s.job_raw),
        'stage', sn.title_scrubbed,
        'archiveReason', json_object('id', s.reason_id, 'text', r.text_scrubbed,
                                     'reasonType', r.reason_type)
    )::varchar as _raw,
    case
        when s._shadowed is not null then s._shadowed
        when s.status not in ('active', 'lead', 'hired', 'archived') or s.status is null
            then 'Ashby application status is not one of Active, Lead, Hired, Archived'
        when s.job_raw is null then 'Ashby application on no job'
        when s.status = 'archived' and r.reason_type is not null and r.decided_by is null
            then 'Ashby archiveReason.reasonType is not one of RejectedByOrg, RejectedByCandidate, Other'
    end as _problem
from staged s
left join stage_names sn using (stage_title)
left join reasons r on r.reason_id is not distinct from s.reason_id
                   and r.reason_text_inline is not distinct from s.reason_text_inline
                   and r.reason_type_inline is not distinct from s.reason_type_inline
left join custom c using (_row)
left join note n using (_row)
left join candidate_pseudonym cp using (candidate_raw)
order by s._row
