-- report_data_quality: rows loaded and quarantined per table, and quarantined rows by the kind of
-- problem and the column (or reader error) it is about. Only quarantine.reason_kind is read: the
-- ingest writes it as fixed text with no value from data in it (reason, which names the value
-- for whoever fixes the file, must not reach a report). A row with several problems counts under
-- its first, so the rows add up to the rows quarantined. The page names a column only if the
-- contract has it, and a plausibility rule only by its name in the contract
-- (pipelines/reports/pages/data_quality.py).
create or replace table report_data_quality as
with quarantined as (
    select source_table, split_part(reason_kind, '; ', 1) as kind
    from quarantine
),
classified as (
    select
        source_table,
        kind,
        case
            when regexp_matches(kind, '^missing required value for \w{1,64}$') then 'missing'
            when regexp_matches(kind, '^bad value for \w{1,64}$') then 'bad_value'
            when regexp_matches(kind, '^\w{1,64} out of range$') then 'out_of_range'
            when regexp_matches(kind, '^(negative|too small) \w{1,64}$') then 'below_minimum'
            when kind = 'exact duplicate' then 'exact_duplicate'
            when kind = 'conflicting duplicate key' then 'conflicting_key'
            when regexp_matches(kind, '^orphan foreign key: \w{1,64}$') then 'orphan'
            when regexp_matches(kind, '^unreadable CSV line: [a-z ]{1,40}$') then 'unreadable_csv'
            when starts_with(kind, 'unreadable JSON line') then 'unreadable_json'
            when regexp_matches(kind, '^\w{1,64} outside the plausible window$') then 'implausible_date'
            else 'implausible'
        end as problem
    from quarantined
)
select source_table, 'loaded' as status, 'loaded' as problem, NULL::varchar as detail,
       sum(rows_loaded) as n
from ingest_log
group by all
union all
select
    source_table,
    'quarantined',
    problem,
    case problem
        when 'missing' then regexp_extract(kind, '^missing required value for (\w{1,64})$', 1)
        when 'bad_value' then regexp_extract(kind, '^bad value for (\w{1,64})$', 1)
        when 'out_of_range' then regexp_extract(kind, '^(\w{1,64}) out of range$', 1)
        when 'below_minimum' then regexp_extract(kind, '^(?:negative|too small) (\w{1,64})$', 1)
        when 'orphan' then regexp_extract(kind, '^orphan foreign key: (\w{1,64})$', 1)
        when 'unreadable_csv' then regexp_extract(kind, '^unreadable CSV line: ([a-z ]{1,40})$', 1)
        when 'implausible_date' then regexp_extract(kind, '^(\w{1,64}) outside the plausible window$', 1)
        when 'implausible' then kind
    end,
    count(*)
from classified
group by all;
