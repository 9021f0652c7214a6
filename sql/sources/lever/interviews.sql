-- interviews from a Lever feedback export: feedback*.json (forms with opportunityId) or
-- feedback_by_opportunity*.json ({opportunityId: GET /opportunities/:id/feedback response}); one
-- row per feedback form, i.e. one interviewer's feedback on one interview. Mapping rules:
--   application_id   keyed pseudonym of opportunityId (the opportunity is the application)
--   interviewer_id   keyed pseudonym of user (the submitter): a repeat of the same
--                    interviewer's form for the same round is a duplicate (contract 1.1)
--   recommendation   the form's overall rating: the field of type score-system (the one rating
--                    of every template), else a field of type score (the docs' own example types
--                    the rating so) whose value is a rating; "4 - Strong Hire" -> strong_yes,
--                    "3 - Hire" -> yes, "2 - No Hire" -> no, "1 - Strong No Hire" -> strong_no
--                    (lever.toml [codes.recommendation]). Lever's scale has no neutral value:
--                    no_decision never occurs.
--   score            the recommendation as Greenhouse's 1..5 (strong_no 1, no 2, yes 4,
--                    strong_yes 5)
--   round            the forms of one panel (one interview event) are one round, else of one
--                    interview, else the form alone; an opportunity's rounds numbered 1, 2, ...
--                    by the panel's start (panels.json), else the forms' completedAt
--   interviewed_at   the panel's start, else completedAt (epoch ms) as a date
-- Quarantined: a deleted form (deletedAt), a form never submitted (no completedAt), a form
-- without an answered rating, a rating not in [codes.recommendation].
-- Never read beyond the rating: the form's other fields (notes, answers about the candidate),
-- its text and instructions.
with form as (
    select _row, id, opportunityId, user as user_raw, panel, interview, completedAt, createdAt,
           deletedAt, fields
    from src
),
field as (
    select _row, f ->> 'type' as type, f -> 'value' as value, i
    from (select _row, unnest(json_extract(fields, '$[*]')) as f,
                 generate_subscripts(json_extract(fields, '$[*]'), 1) as i
          from form)
    where f ->> 'type' in ('score-system', 'score')
      and json_type(f -> 'value') not in ('NULL', 'ARRAY', 'OBJECT')
),
rating_codes as materialized (
    select value, code('recommendation', value) as recommendation
    from (select distinct value ->> '$' as value from field)
),
rating as (
    -- the score-system field, else the first score field holding a rating
    select f._row, arg_min(f.value ->> '$',
                           (f.type <> 'score-system')::integer * 100000 + f.i) as rating
    from field f
    join rating_codes rc on rc.value = f.value ->> '$'
    where f.type = 'score-system' or rc.recommendation is not null
    group by f._row
),
labels as materialized (
    select rating, code('recommendation', rating) as recommendation,
           code('recommendation_score', code('recommendation', rating)) as score
    from (select distinct rating from rating)
),
panel as (
    select id, min(ms_ts(start)) as start from lever_panels group by id
),
keyed as (
    select f.*, r.rating, l.recommendation, l.score,
           coalesce('panel:' || f.panel, 'interview:' || f.interview, 'form:' || f.id)
               as round_key,
           coalesce(p.start, ms_ts(f.completedAt)) as interviewed_at
    from form f
    left join rating r using (_row)
    left join labels l using (rating)
    left join panel p on p.id = f.panel
),
ids as materialized (
    select kind, raw, pseudonym(kind, raw) as pseudonym
    from (select distinct 'application' as kind, opportunityId as raw from form
          union select distinct 'interviewer', user_raw from form)
    where raw is not null
),
rounds as (
    select opportunityId, round_key,
           dense_rank() over (partition by opportunityId
                              order by min(interviewed_at), round_key) as round
    from keyed
    where deletedAt is null
    group by opportunityId, round_key
)
select
    k._row,
    ap.pseudonym as application_id,
    r.round,
    k.interviewed_at::date::varchar as interviewed_at,
    k.recommendation,
    k.score,
    ip.pseudonym as interviewer_id,
    json_object(
        'id', k.id, 'opportunityId', ap.pseudonym, 'user', ip.pseudonym,
        'panel', k.panel, 'interview', k.interview, 'createdAt', k.createdAt,
        'completedAt', k.completedAt, 'deletedAt', k.deletedAt, 'rating', k.rating
    )::varchar as _raw,
    case
        when k.deletedAt is not null then 'deleted Lever feedback form (deletedAt)'
        when k.completedAt is null then 'Lever feedback form never submitted (no completedAt)'
        when k.rating is null
            then 'Lever feedback form without a rating (no score-system or score field answered)'
        when k.recommendation is null
            then 'Lever rating is not one of 4 - Strong Hire, 3 - Hire, 2 - No Hire, 1 - Strong No Hire'
    end as _problem
from keyed k
left join rounds r on r.opportunityId is not distinct from k.opportunityId
                  and r.round_key is not distinct from k.round_key
left join ids ap on ap.kind = 'application' and ap.raw = k.opportunityId
left join ids ip on ip.kind = 'interviewer' and ip.raw = k.user_raw
order by k._row
