-- report_headline: the period covered and the size of each population the reports talk about.
create or replace table report_headline as
select
    (select min(applied_at) from applications) as first_application,
    (select max(coalesce(decided_at, applied_at)) from applications) as last_decision,
    (select count(*) from applications) as applications,
    (select count(*) from applications where outcome = 'rejected') as rejections,
    (select count(*) from applications where outcome = 'hired') as hires,
    (select count(distinct application_id) from interviews) as interviewed,
    (select count(*) from post_interview_rejections) as post_interview_rejections,
    (select count(*) from reason_assignments where reason = 'unknown') as unknown_reason,
    (select count(*) from review_queue) as in_review_queue;
