-- background_checks from a Checkr export (GET /v1/reports, list or single objects, older and
-- lifecycle API): one row per report. Mapping rules:
--   application_id  how a real integration links a check: the Checkr candidate's custom_id,
--                   which the ATS integration sets to its application id, becomes the same keyed
--                   pseudonym as the ATS adapter gives that application (candidates.json). A
--                   report whose candidate has no custom_id (or is not in candidates.json) is
--                   quarantined, saying so. (E-mail is never read: a person's e-mail does not
--                   say which of their applications a check was for.) Of several reports for
--                   one application the newest (created_at) is used; the older are quarantined.
--   vendor_id       settings.vendor_id of checkr.toml ("checkr")
--   requested_at, completed_at   created_at, completed_at; a report re-completed after a
--                   dispute (see disputed) carries the re-completion in completed_at, so its
--                   first completion is taken from the adverse action's created_at (the
--                   pre-adverse notice goes out once the report is complete)
--   result          status pending/suspended/paused -> pending; canceled -> canceled; the
--                   pre-lifecycle API's status clear/consider -> that result; complete or
--                   dispute -> result, else (Checkr Assess) assessment eligible -> clear,
--                   review/escalated -> consider
--   adjudication    adjudication (engaged, pre_adverse_action, post_adverse_action; the
--                   Dashboard's manual/deferred -> none), else from the newest adverse action:
--                   pending/dispute -> pre_adverse_action, complete -> post_adverse_action,
--                   canceled -> engaged; none without either
--   pre_adverse_notice_at   the adverse action's created_at (Checkr sends the pre-adverse notice
--                   when the action is created; there is no notice field), else the
--                   report.pre_adverse_action event
--   post_adverse_notice_at  when the action completed (status complete, or adjudication
--                   post_adverse_action): the report.post_adverse_action event, else
--                   post_notice_ready_at, else post_notice_scheduled_at; NULL while pending
--   finding         the first findings pattern (checkr.toml) matching an adverse item's text;
--                   none for a clear report; NULL otherwise (Checkr reports no category)
--   disputed        report status dispute, an adverse action in dispute, a report.disputed
--                   event, or a canceled adverse action followed by a re-completed report
--   dispute_outcome no Checkr field: inferred. pending = the report or its adverse action is in
--                   dispute now; corrected = the adverse action was canceled and the report
--                   re-completed after it (the dispute found the report wrong); upheld = the
--                   dispute is over and the adverse action went ahead (completed, or a
--                   report.post_adverse_action event); pending otherwise; none = not disputed
--   dispute_resolved_at     corrected: the later of canceled_at and the re-completion; upheld:
--                   the post-adverse notice
with report as (
    select _row, id, lower(status) as status, lower(result) as result,
           lower(adjudication) as adjudication, lower(assessment) as assessment,
           created_at, completed_at, coalesce(candidate_id, candidate ->> 'id') as candidate_id
    from src
),
candidate as (
    select id, any_value(custom_id) filter (where nullif(trim(custom_id), '') is not null)
               as custom_id
    from checkr_candidates
    group by id
),
action as (
    select report_id,
           arg_max(lower(status), ts(created_at)) as status,
           max(created_at) as created_at,
           arg_max(post_notice_ready_at, ts(created_at)) as post_notice_ready_at,
           arg_max(post_notice_scheduled_at, ts(created_at)) as post_notice_scheduled_at,
           arg_max(canceled_at, ts(created_at)) as canceled_at,
           min(match_list('findings', item))
               filter (where item is not null) as finding
    from (select *, unnest(coalesce(json_extract_string(adverse_items, '$.data[*].text'),
                                    [NULL::varchar])) as item
          from checkr_adverse_actions)
    group by report_id
),
event as (
    select data -> 'object' ->> 'id' as report_id,
           bool_or(type = 'report.disputed') as disputed,
           min(created_at) filter (where type = 'report.pre_adverse_action') as pre_adverse_at,
           max(created_at) filter (where type = 'report.post_adverse_action') as post_adverse_at
    from checkr_webhook_events
    where data -> 'object' ->> 'object' in ('report', 'test_report')
    group by all
),
mapped as (
    select r._row, r.id, r.status, r.result as raw_result, r.adjudication as raw_adjudication,
           r.assessment, r.created_at, r.completed_at, r.candidate_id,
           c.id as known_candidate, c.custom_id,
           coalesce(nullif(code('status', r.status), ''), r.result,
                    case when r.status in ('complete', 'dispute')
                         then code('assessment', r.assessment) end) as result,
           coalesce(code('adjudication', r.adjudication), r.adjudication,
                    code('adverse_action', a.status), 'none') as adjudication,
           a.status as action_status, a.created_at as action_created_at,
           a.post_notice_ready_at, a.post_notice_scheduled_at, a.canceled_at, a.finding,
           e.pre_adverse_at, e.post_adverse_at,
           coalesce(a.status = 'canceled' and ts(r.completed_at) > ts(a.created_at), false)
               as recompleted,
           r.status = 'dispute' or coalesce(a.status = 'dispute', false) as open_dispute,
           r.status = 'dispute' or coalesce(a.status = 'dispute', false)
               or coalesce(e.disputed, false)
               or coalesce(a.status = 'canceled' and ts(r.completed_at) > ts(a.created_at), false)
               as disputed
    from report r
    left join candidate c on c.id = r.candidate_id
    left join action a on a.report_id = r.id
    left join event e on e.report_id = r.id
),
timed as (
    select m.*,
           case when m.action_status = 'complete' or m.adjudication = 'post_adverse_action'
                then coalesce(m.post_adverse_at, m.post_notice_ready_at, m.post_notice_scheduled_at)
           end as post_notice,
           case when m.custom_id is not null
                then row_number() over (partition by m.custom_id
                                        order by ts(m.created_at) desc nulls last, m._row desc)
           end as newest
    from mapped m
)
select
    t._row,
    pseudonym('application', t.custom_id) as application_id,
    setting('vendor_id') as vendor_id,
    left(t.created_at, 10) as requested_at,
    -- a re-completed report's first completion: its pre-adverse notice followed it
    left(case when t.recompleted then t.action_created_at else t.completed_at end, 10)
        as completed_at,
    t.result,
    coalesce(t.finding, case when t.result = 'clear' then 'none' end) as finding,
    t.adjudication,
    t.disputed,
    case when not t.disputed then 'none'
         when t.open_dispute then 'pending'
         when t.recompleted then 'corrected'
         when t.post_notice is not null then 'upheld'
         else 'pending' end as dispute_outcome,
    left(case when not t.disputed or t.open_dispute then NULL
              when t.recompleted then greatest(t.canceled_at, t.completed_at)
              else t.post_notice end, 10) as dispute_resolved_at,
    left(coalesce(t.action_created_at, t.pre_adverse_at), 10) as pre_adverse_notice_at,
    left(t.post_notice, 10) as post_adverse_notice_at,
    json_object(
        'id', t.id, 'status', t.status, 'result', t.raw_result,
        'adjudication', t.raw_adjudication, 'assessment', t.assessment,
        'created_at', t.created_at, 'completed_at', t.completed_at,
        'candidate_id', pseudonym('checkr candidate', t.candidate_id),
        'custom_id', pseudonym('application', t.custom_id),
        'adverse_action', json_object('status', t.action_status,
                                      'created_at', t.action_created_at,
                                      'canceled_at', t.canceled_at)
    )::varchar as _raw,
    case
        when t.candidate_id is null then 'Checkr report without a candidate'
        when t.known_candidate is null
            then 'Checkr report not linked to an application: its candidate is not in candidates.json (its custom_id is the link)'
        when t.custom_id is null
            then 'Checkr report not linked to an application: its candidate has no custom_id'
        when t.newest > 1
            then 'an older Checkr report for the same application (the newest report is used)'
    end as _problem
from timed t
