-- report_confidence: how sure the assignments are, in hundredths of confidence (calibrated
-- confidences crowd near the top: tenths drew one bar).
create or replace table report_confidence as
select reason, floor(confidence * 100) / 100 as confidence_bin, count(*) as n
from reason_assignments
group by all;
