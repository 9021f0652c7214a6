-- interviews from a Greenhouse Harvest scorecards export (GET /v1/scorecards): one row per
-- scorecard, i.e. one interviewer's feedback on one interview. Mapping rules:
--   application_id   keyed pseudonym of application_id
--   interviewer_id   keyed pseudonym of interviewer.id (else submitted_by.id): a repeat of the
--                    same interviewer's scorecard for the same round is a duplicate (contract 1.1)
--   round            the interview's stage: interview_step.id is one of job_stages[].interviews[]
--                    .id; the application's stages are numbered 1, 2, ... by stage priority
--                    (an interview of no known stage is its own round, ordered by its date), so
--                    every scorecard of one stage (an onsite's panel) is one round
--   recommendation   overall_recommendation: definitely_not -> strong_no, no -> no,
--                    no_decision -> no_decision, yes -> yes, strong_yes -> strong_yes
--   score            the same five values as 1..5
--   interviewed_at   interviewed_at, else submitted_at (its date as written)
-- Never read: interviewer and submitter names, attribute notes, questions and answers (private
-- notes), ratings.
with card as (
    select _row, id, application_id, interview,
           interview_step ->> 'id' as step_id,
           interview_step ->> 'name' as step_name,
           coalesce(interviewer ->> 'id', submitted_by ->> 'id') as interviewer_raw,
           coalesce(interviewed_at, submitted_at) as interviewed_at,
           overall_recommendation
    from src
),
step_stage as (
    select unnest(json_extract_string(interviews, '$[*].id')) as step_id,
           id as stage_id, try_cast(priority as integer) as priority
    from greenhouse_job_stages
),
keyed as (
    select c.*, coalesce('stage:' || s.stage_id, 'step:' || c.step_id, 'interview:' || c.interview)
               as round_key,
           s.priority
    from card c
    left join (select step_id, any_value(stage_id) as stage_id, any_value(priority) as priority
               from step_stage group by step_id) s using (step_id)
),
ids as materialized (
    -- each distinct id pseudonymised once (HMAC is the costly part)
    select kind, raw, pseudonym(kind, raw) as pseudonym
    from (select distinct 'application' as kind, application_id as raw from card
          union select distinct 'interviewer', interviewer_raw from card)
    where raw is not null
),
labels as materialized (
    -- few distinct interview names and recommendations: scrubbed and mapped once each
    select interview, step_name, overall_recommendation,
           scrub_text(interview) as interview_scrubbed, scrub_text(step_name) as step_scrubbed,
           code('recommendation', overall_recommendation) as recommendation,
           code('recommendation_score', overall_recommendation) as score
    from (select distinct interview, step_name, overall_recommendation from card)
),
rounds as (
    select application_id, round_key,
           dense_rank() over (partition by application_id
                              order by min(priority) nulls last, min(ts(interviewed_at)),
                                       round_key) as round
    from keyed
    group by application_id, round_key
)
select
    k._row,
    ap.pseudonym as application_id,
    r.round,
    left(k.interviewed_at, 10) as interviewed_at,
    l.recommendation,
    l.score,
    ip.pseudonym as interviewer_id,
    json_object(
        'id', k.id, 'application_id', ap.pseudonym,
        'interview', l.interview_scrubbed,
        'interview_step', json_object('id', k.step_id, 'name', l.step_scrubbed),
        'interviewer_id', ip.pseudonym,
        'interviewed_at', k.interviewed_at,
        'overall_recommendation', k.overall_recommendation
    )::varchar as _raw,
    case
        when k.overall_recommendation is null then 'Greenhouse scorecard without an overall_recommendation'
        when l.recommendation is null
            then 'Greenhouse overall_recommendation is not one of definitely_not, no, no_decision, yes, strong_yes'
    end as _problem
from keyed k
left join rounds r on r.application_id is not distinct from k.application_id
                  and r.round_key is not distinct from k.round_key
left join labels l on l.interview is not distinct from k.interview
                   and l.step_name is not distinct from k.step_name
                   and l.overall_recommendation is not distinct from k.overall_recommendation
left join ids ap on ap.kind = 'application' and ap.raw = k.application_id
left join ids ip on ip.kind = 'interviewer' and ip.raw = k.interviewer_raw
