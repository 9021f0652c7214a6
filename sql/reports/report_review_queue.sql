-- report_review_queue: how many assignments wait for a person, by why they were queued and the
-- reason assigned. The cases themselves (application ids, evidence) stay in the warehouse:
-- `make review` writes them beside it, never into the reports folder.
create or replace table report_review_queue as
select why, reason, count(*) as n
from review_queue
group by all;
