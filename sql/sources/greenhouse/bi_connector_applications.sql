-- bi_connector_applications: the Greenhouse BI connector's flat applications table
-- (bi_connector_applications*.csv) in the shape of a Harvest application record, for
-- applications.sql to map. The table has no job and no names: the job is the job of stage_id
-- (job_stages), the stage name comes from job_stages, the rejection reason and its type from
-- rejection_reasons (by rejection_reason_id). An application that is also in the Harvest
-- applications export of the same folder is mapped from there (it carries the custom fields and
-- the activity-feed note): its BI row is quarantined, saying so.
select
    r._row,
    r.id,
    r.candidate_id,
    r.prospect,
    r.status,
    r.applied_at,
    r.rejected_at,
    NULL::varchar as last_activity_at,
    case when st.job_id is not null then json_array(json_object('id', st.job_id)) end::json as jobs,
    case when r.stage_id is not null
         then json_object('id', r.stage_id, 'name', st.name) end::json as current_stage,
    case when r.rejection_reason_id is not null
         then json_object('id', r.rejection_reason_id, 'name', rr.name,
                          'type', json_object('name', rr.type ->> 'name')) end::json
        as rejection_reason,
    NULL::json as custom_fields,
    NULL::json as keyed_custom_fields,
    r.filename,
    case
        when api.id is not null
            then 'also in the Greenhouse Harvest applications export, which is used instead'
        when r.stage_id is not null and st.id is null and r.status <> 'hired'
            then 'Greenhouse BI connector row whose stage_id is not in job_stages: its job is unknown'
    end as _shadowed
from raw_src r
left join (select id, any_value(name) as name, any_value(job_id) as job_id
           from greenhouse_job_stages group by id) st on st.id = r.stage_id
left join (select id, any_value(name) as name, any_value(type) as type
           from greenhouse_rejection_reasons group by id) rr on rr.id = r.rejection_reason_id
left join (select distinct id from greenhouse_applications) api on api.id = r.id
order by r._row
