-- report_interview_votes: interviewer calibration without naming anyone: recommendations per
-- round and panel size (how many recommendations the application got in that round), and for
-- each application whose last round was a unanimous yes (the cohort's definition: at least one
-- success and no recommendation against; no_decision is ignored), what happened to it. Reads
-- interview_rounds (one row per application and round, kept up to date by the reason engine),
-- not the interview rows.
create or replace table report_interview_votes as
with per_panel as (
    select
        least("round", 3)::varchar as round,
        case when panel >= 4 then '4+' else panel::varchar end as panel,
        sum(strong_yes) as strong_yes, sum(yes) as yes, sum(no_decision) as no_decision,
        sum(no) as no, sum(strong_no) as strong_no
    from interview_rounds
    group by all
),
votes as (
    unpivot per_panel on strong_yes, yes, no_decision, no, strong_no into name value value n
)
select 'vote' as kind, round, panel, value, sum(n)::bigint as n
from votes
group by all
union all
select 'unanimous yes', least("round", 3)::varchar, 'any', outcome, count(*)
from interview_rounds
where is_last_round and unanimous_yes
group by all;
