-- report_data_quality: rows read, loaded and quarantined per table, and quarantine reasons with
-- the offending values taken out (reasons quote raw values, which must not reach a report).
create or replace table report_data_quality as
select source_table, 'loaded' as status, 'loaded' as reason, sum(rows_loaded) as n
from ingest_log group by all
union all
select source_table, 'quarantined',
       regexp_replace(
           regexp_replace(
               regexp_replace(reason, '''[^'']*''', '…', 'g'),  -- quoted raw values
               '(\w+)=[^,)]+', '\1=…', 'g'),                     -- key=value of duplicates
           '-?\d+(\.\d+)?', '…', 'g'),                           -- numbers and row numbers
       count(*)
from quarantine group by all;
