-- report_decision_time: days from an application's last interview to its decision, in bands,
-- by what the decision was (hired, rejected after a successful interview, other rejection,
-- withdrawn, offer declined). Pending applications have no decision yet and are left out.
-- Reads each interviewed application's last-round row of interview_rounds (its latest interview,
-- outcome and decision date); "rejected after a successful interview" is the cohort's
-- definition (post_interview_rejections): rejected, and the last round a unanimous yes.
create or replace table report_decision_time as
select
    case
        when outcome = 'rejected' and unanimous_yes then 'rejected after a successful interview'
        when outcome = 'rejected' then 'other rejection'
        else outcome
    end as decision,
    case
        -- a record that contradicts itself (implausible_records), not a fast decision
        when date_diff('day', last_interview, decided_at) < 0 then 'decided before the last interview'
        when date_diff('day', last_interview, decided_at) < 7 then 'under 1 week'
        when date_diff('day', last_interview, decided_at) < 14 then '1–2 weeks'
        when date_diff('day', last_interview, decided_at) < 28 then '2–4 weeks'
        when date_diff('day', last_interview, decided_at) < 56 then '4–8 weeks'
        else '8 weeks or more'
    end as band,
    count(*) as n
from interview_rounds
where is_last_round
  and decided_at is not null and last_interview is not null and outcome <> 'pending'
group by all;
