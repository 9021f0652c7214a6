-- report_confidence: how sure the assignments are, in tenths of confidence.
create or replace table report_confidence as
select reason, floor(confidence * 10) / 10 as confidence_bin, count(*) as n
from reason_assignments
group by all;
