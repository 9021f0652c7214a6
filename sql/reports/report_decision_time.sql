-- report_decision_time: days from an application's last interview to its decision, in bands,
-- by what the decision was (hired, rejected after a successful interview, other rejection,
-- withdrawn, offer declined). Pending applications have no decision yet and are left out.
create or replace table report_decision_time as
with last_interview as (
    select application_id, max(interviewed_at) as last_interview
    from interviews
    group by application_id
)
select
    case
        when a.outcome = 'rejected' and c.application_id is not null
            then 'rejected after a successful interview'
        when a.outcome = 'rejected' then 'other rejection'
        else a.outcome
    end as decision,
    case
        when date_diff('day', l.last_interview, a.decided_at) < 7 then 'under 1 week'
        when date_diff('day', l.last_interview, a.decided_at) < 14 then '1–2 weeks'
        when date_diff('day', l.last_interview, a.decided_at) < 28 then '2–4 weeks'
        when date_diff('day', l.last_interview, a.decided_at) < 56 then '4–8 weeks'
        else '8 weeks or more'
    end as band,
    count(*) as n
from applications a
join last_interview l using (application_id)
left join post_interview_rejections c using (application_id)
where a.decided_at is not null and l.last_interview is not null and a.outcome <> 'pending'
group by all;
