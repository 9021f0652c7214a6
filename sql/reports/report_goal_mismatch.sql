-- report_goal_mismatch: candidate career goal against what the role offers, for every
-- post-interview rejection, with how many were put down to goal mismatch and which way it ran.
create or replace table report_goal_mismatch as
select
    coalesce(c.career_goal, 'not recorded') as career_goal,
    coalesce(c.advancement_outlook, 'not recorded') as advancement_outlook,
    count(*) as rejections,
    count(*) filter (where a.reason = 'goal_mismatch') as goal_mismatch,
    count(*) filter (where a.detail = 'ambitious_for_limited_role') as ambitious_for_limited_role,
    count(*) filter (where a.detail = 'settled_for_growth_role') as settled_for_growth_role,
    count(*) filter (where a.reason = 'goal_mismatch' and a.detail = 'stated_in_notes') as stated_in_notes
from reason_assignments a
join post_interview_rejections c using (application_id)
group by all;
