-- report_lost_offers: candidates who interviewed well and lost the job to a background check,
-- by what happened to the report, and by vendor (its id cut to 400 characters).
create or replace table report_lost_offers as
select
    left(coalesce(b.vendor_id, 'no check record'), 400) as vendor_id,
    a.detail,
    count(*) as n
from reason_assignments a
left join background_check_status b using (application_id)
where a.reason = 'background_check'
group by all;
