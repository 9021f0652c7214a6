-- Ashby interview stages (interviewStage.list results for the one interview plan): a_stage in
-- _views.sql, the stages the applications move through, with their types (the adapter tells the
-- Archived and Hired stages by type).
select
    id,
    title,
    type,
    "order" as orderInInterviewPlan,
    md5('ashby-stage-group:' || stage)::uuid as interviewStageGroupId,
    md5('ashby-interview-plan')::uuid as interviewPlanId
from a_stage
order by "order"
