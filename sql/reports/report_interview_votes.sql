-- report_interview_votes: interviewer calibration without naming anyone: recommendations per
-- round and panel size (how many recommendations the application got in that round), and for
-- each application whose last round was a unanimous yes (the cohort's definition: at least one
-- success and no recommendation against; no_decision is ignored), what happened to it. One scan
-- of interviews: everything after it works on one row per application and round.
create or replace table report_interview_votes as
with per_round as (
    select
        application_id,
        "round",
        count(*) as panel,
        count(*) filter (where recommendation in {{ success }}) as n_success,
        count(*) filter (where recommendation not in {{ success }}
                         and recommendation not in {{ ignored }}) as n_other,
        count(*) filter (where recommendation = 'strong_yes') as strong_yes,
        count(*) filter (where recommendation = 'yes') as yes,
        count(*) filter (where recommendation = 'no_decision') as no_decision,
        count(*) filter (where recommendation = 'no') as no,
        count(*) filter (where recommendation = 'strong_no') as strong_no
    from interviews
    group by all
),
per_panel as (
    select
        least("round", 3)::varchar as round,
        case when panel >= 4 then '4+' else panel::varchar end as panel,
        sum(strong_yes) as strong_yes, sum(yes) as yes, sum(no_decision) as no_decision,
        sum(no) as no, sum(strong_no) as strong_no
    from per_round
    group by all
),
votes as (
    unpivot per_panel on strong_yes, yes, no_decision, no, strong_no into name value value n
),
last_round as (
    select application_id, "round", n_success, n_other
    from per_round
    qualify row_number() over (partition by application_id order by "round" desc) = 1
)
select 'vote' as kind, round, panel, value, sum(n)::bigint as n
from votes
group by all
union all
select 'unanimous yes', least(l."round", 3)::varchar, 'any', a.outcome, count(*)
from last_round l
join applications a using (application_id)
where l.n_success >= 1 and l.n_other = 0
group by all;
