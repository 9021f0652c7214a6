-- report_dispute_days: resolved disputes by days from report completion to resolution, per
-- vendor, against the FCRA's 30-day reinvestigation clock. A vendor id is cut to 400 characters.
create or replace table report_dispute_days as
select
    left(coalesce(vendor_id, 'not recorded'), 400) as vendor_id,
    least(date_diff('day', completed_at, dispute_resolved_at) // 5 * 5, 60) as days_bucket,
    count(*) as n,
    count(*) filter (where date_diff('day', completed_at, dispute_resolved_at) > 30) as over_30_days
from background_checks
where dispute_resolved_at is not null and completed_at is not null
  and dispute_outcome in ('corrected', 'upheld')
group by all;
