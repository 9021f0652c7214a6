-- Ashby application history (application.listHistory results, one JSON line per entry with the
-- application's id added, as the adapter reads it): every stage an application entered, in
-- order, with enteredStageAt (a_application.visits in _views.sql: the stages up to
-- stage_reached, then Hired or Archived at the decision). The adapter takes the stage before
-- archiving from it.
select
    a.application_id as applicationId,
    md5('ashby-history:' || a.application_id || ':' || v.i)::uuid as id,
    s.id as stageId,
    s.title,
    strftime(v.visit.at, '%Y-%m-%dT%H:%M:%S.000Z') as enteredStageAt,
    v.i as stageNumber
from a_application a,
     (select unnest(a.visits) as visit, generate_subscripts(a.visits, 1) as i) v
join a_stage s on s.stage = v.visit.stage
order by a.application_id, v.i
