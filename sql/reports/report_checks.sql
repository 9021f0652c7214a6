-- report_checks: background checks by month requested, vendor (cut to 400 characters), finding,
-- what happened to the report and, for resolved disputes, the days from report completion to
-- resolution in 5-day bands against the FCRA's 30-day reinvestigation clock (band 7 and up is
-- over 30 days). Statuses: an adverse report is a 'consider' result with pre- or post-adverse
-- action; a dispute is counted on adverse reports only (the data has none on others).
create or replace table report_checks as
with checks as (
    select
        *,
        result = 'consider'
            and adjudication in ('pre_adverse_action', 'post_adverse_action') as is_adverse,
        date_diff('day', completed_at, dispute_resolved_at) as resolution_days
    from background_checks
)
select
    date_trunc('month', requested_at) as month,
    left(coalesce(vendor_id, 'not recorded'), 400) as vendor_id,
    coalesce(finding, 'none') as finding,
    case
        when not is_adverse then 'no adverse action'
        when dispute_outcome = 'corrected' then 'corrected'
        when dispute_outcome = 'upheld' then 'upheld'
        when dispute_outcome = 'pending' or disputed then 'dispute pending'
        else 'not disputed'
    end as status,
    case
        when is_adverse and dispute_outcome in ('corrected', 'upheld') and resolution_days is not null
            then least(greatest(ceil(resolution_days / 5), 1), 13)::integer
        else 0
    end as days_band,
    count(*) as n
from checks
group by all;
