-- background_check_status: each cohort application's check, with what happened to the report.
-- dispute_corrected means the candidate disputed it and the report was shown to be wrong.
create or replace table background_check_status as
select
    b.application_id,
    b.vendor_id,
    b.result,
    b.finding,
    b.adjudication,
    b.disputed,
    b.dispute_outcome,
    case
        when b.dispute_outcome = 'corrected' then 'dispute_corrected'
        when b.dispute_outcome = 'upheld' then 'dispute_upheld'
        when b.dispute_outcome = 'pending' or (b.disputed and coalesce(b.dispute_outcome, 'none') = 'none')
            then 'dispute_pending'
        else 'not_disputed'
    end as report_detail
from background_checks b
semi join post_interview_rejections c using (application_id);
