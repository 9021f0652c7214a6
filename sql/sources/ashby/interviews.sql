-- interviews from an Ashby feedback export (applicationFeedback.list results): one row per
-- submitted feedback form, i.e. one interviewer's feedback on one interview. Mapping rules:
--   application_id   keyed pseudonym of applicationId
--   interviewer_id   keyed pseudonym of submittedByUser.id (of the user object only the id is
--                    parsed): a repeat of the same interviewer's feedback for the same round is a
--                    duplicate (contract 1.1)
--   recommendation   submittedValues[<field>], the form field named in ashby.toml
--                    [custom_fields] recommendation (the spec's example: overall_recommendation);
--                    values through [codes.recommendation]: strong_hire -> strong_yes,
--                    hire -> yes, no_hire -> no, strong_no_hire -> strong_no, a 1-4 Score
--                    4 -> strong_yes ... 1 -> strong_no. Forms are per organisation: no_decision
--                    only where the organisation's form has such a value
--   score            the recommendation as Greenhouse's 1..5 (strong_no 1, no 2, no_decision 3,
--                    yes 4, strong_yes 5)
--   round            the feedback of one stage visit (applicationHistoryId), else of one
--                    interview event (interviewEventId: a panel), else the form alone; an
--                    application's rounds numbered 1, 2, ... by their first submittedAt
--   interviewed_at   submittedAt (its date as written; Ashby's feedback has no interview time)
-- Quarantined: a form without the recommendation field, a value not in [codes.recommendation].
-- Never read: the form definition, the other submitted values (free text about the candidate),
-- the submitting user's name and e-mail.
with card as (
    select _row, id, applicationId, struct_extract(submittedByUser, 'id') as user_raw,
           interviewId, interviewEventId, applicationHistoryId, submittedAt, submittedValues
    from src
),
value as (
    select _row, e.key as k, e.value as v
    from (select _row, submittedValues from card where submittedValues is not null) c,
         json_each(c.submittedValues) e
),
value_names as materialized (
    select d.k, sf.preference
    from (select distinct k from value) d
    join source_fields sf on sf.column_name = 'recommendation' and sf.field = norm(d.k)
),
picked as (
    select v._row, arg_min(v.v ->> '$', n.preference) as value
    from value v
    join value_names n using (k)
    where json_type(v.v) not in ('NULL', 'ARRAY', 'OBJECT')
    group by v._row
),
labels as materialized (
    select value, code('recommendation', value) as recommendation,
           code('recommendation_score', code('recommendation', value)) as score
    from (select distinct value from picked)
),
keyed as (
    select c.*, p.value, l.recommendation, l.score,
           coalesce('history:' || c.applicationHistoryId, 'event:' || c.interviewEventId,
                    'form:' || c.id) as round_key
    from card c
    left join picked p using (_row)
    left join labels l using (value)
),
ids as materialized (
    select kind, raw, pseudonym(kind, raw) as pseudonym
    from (select distinct 'application' as kind, applicationId as raw from card
          union select distinct 'interviewer', user_raw from card)
    where raw is not null
),
rounds as (
    select applicationId, round_key,
           dense_rank() over (partition by applicationId
                              order by min(ts(submittedAt)), round_key) as round
    from keyed
    group by applicationId, round_key
)
select
    k._row,
    ap.pseudonym as application_id,
    r.round,
    left(k.submittedAt, 10) as interviewed_at,
    k.recommendation,
    k.score,
    ip.pseudonym as interviewer_id,
    json_object(
        'id', k.id, 'applicationId', ap.pseudonym, 'submittedByUser', ip.pseudonym,
        'interviewId', k.interviewId, 'interviewEventId', k.interviewEventId,
        'applicationHistoryId', k.applicationHistoryId, 'submittedAt', k.submittedAt,
        'recommendation', k.value
    )::varchar as _raw,
    case
        when k.value is null
            then 'Ashby feedback without a recommendation field (names in ashby.toml [custom_fields] recommendation)'
        when k.recommendation is null
            then 'Ashby recommendation value is not one of ashby.toml [codes.recommendation]'
    end as _problem
from keyed k
left join rounds r on r.applicationId is not distinct from k.applicationId
                  and r.round_key is not distinct from k.round_key
left join ids ap on ap.kind = 'application' and ap.raw = k.applicationId
left join ids ip on ip.kind = 'interviewer' and ip.raw = k.user_raw
order by k._row
