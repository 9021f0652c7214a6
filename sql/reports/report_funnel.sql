-- report_funnel: how many applications reached each stage, in funnel order. An application
-- counts at every stage up to the one it reached (hired counts everywhere).
create or replace table report_funnel as
with stages as (
    select * from (values
        (1, 'applied'), (2, 'screen'), (3, 'interview'), (4, 'final_interview'),
        (5, 'offer'), (6, 'background_check'), (7, 'hired')
    ) s(stage_order, stage)
),
reached as (
    select s.stage_order
    from applications a join stages s on s.stage = coalesce(a.stage_reached, 'applied')
)
select s.stage_order, s.stage, count(r.stage_order) as applications
from stages s
left join reached r on r.stage_order >= s.stage_order
group by all
order by s.stage_order;
