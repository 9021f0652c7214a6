-- report_periods: the period the data covers and which months are complete. A month is complete
-- when it ended at least the usual time to a decision (the 95th percentile of days from
-- application to decision) before the last application in the data: decisions in later months
-- are still coming in (applications made before the export are still pending), so those months
-- are marked as filling in and left out of every trend.
create or replace table report_periods as
with bounds as (
    select
        min(applied_at) as first_application,
        max(applied_at) as last_application,
        max(coalesce(decided_at, applied_at)) as last_decision,
        coalesce(quantile_disc(date_diff('day', applied_at, decided_at), 0.95)
                 filter (where decided_at is not null), 0) as decision_lag_days
    from applications
)
select
    first_application,
    last_application,
    last_decision,
    decision_lag_days,
    strftime(date_trunc('month', last_application - to_days(decision_lag_days::integer))
             - interval 1 month, '%Y-%m') as last_complete_month
from bounds;
