-- report_background_checks: per vendor and finding, how often a check ends in adverse action,
-- how often adverse reports are disputed, corrected (shown wrong) or upheld, and how long
-- resolved disputes took (completion of the report to resolution, in days). A vendor id is cut
-- to 400 characters (the reports show at most 40: pipelines.reports.privacy.clean_label).
create or replace table report_background_checks as
select
    left(coalesce(vendor_id, 'not recorded'), 400) as vendor_id,
    coalesce(finding, 'none') as finding,
    count(*) as checks,
    count(*) filter (where result = 'consider'
                     and adjudication in ('pre_adverse_action', 'post_adverse_action')) as adverse,
    count(*) filter (where disputed or dispute_outcome in ('pending', 'corrected', 'upheld')) as disputed,
    count(*) filter (where dispute_outcome = 'corrected') as corrected,
    count(*) filter (where dispute_outcome = 'upheld') as upheld,
    count(*) filter (where dispute_outcome = 'pending'
                     or (disputed and coalesce(dispute_outcome, 'none') = 'none')) as pending
from background_checks
group by all;
