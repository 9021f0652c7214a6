-- report_check_timing: for checks ending in adverse action, the days from the report's
-- completion to the application's decision, and from the check's request to the decision, per
-- vendor. Under the FCRA a pre-adverse notice with the report must come first and the final
-- adverse action only after a reasonable wait (commonly 5 business days, about 7 calendar
-- days). The data has no date for the notice, so a decision fewer than 7 days after the report
-- was completed is a case where that wait cannot have been fully kept.
create or replace table report_check_timing as
select
    left(coalesce(b.vendor_id, 'not recorded'), 400) as vendor_id,
    case
        when a.decided_at is null or b.completed_at is null then 'no date'
        when date_diff('day', b.completed_at, a.decided_at) < 7 then 'under 7 days'
        when date_diff('day', b.completed_at, a.decided_at) < 14 then '7–13 days'
        when date_diff('day', b.completed_at, a.decided_at) < 30 then '14–29 days'
        else '30 days or more'
    end as report_to_decision,
    case
        when a.decided_at is null or b.requested_at is null then 'no date'
        when date_diff('day', b.requested_at, a.decided_at) < 14 then 'under 14 days'
        when date_diff('day', b.requested_at, a.decided_at) < 30 then '14–29 days'
        when date_diff('day', b.requested_at, a.decided_at) < 60 then '30–59 days'
        else '60 days or more'
    end as request_to_decision,
    count(*) as n
from background_checks b
join applications a using (application_id)
where b.result = 'consider'
  and b.adjudication in ('pre_adverse_action', 'post_adverse_action')
  and a.outcome = 'rejected'
group by all;
