-- reason_assignments: one reason per post-interview rejection, with a confidence and the
-- evidence that decided it.
-- Precedence (the labeling policy): what the recruiter note states outweighs everything; a clear
-- ATS code ("hired another candidate") counts when the note is silent; then the records
-- (structured evidence, in taxonomy priority); no evidence at all = unknown.
-- What the note and the ATS field say is read in reason_note_readings.
-- The confidence is looked up by decision path (which readers decided, and whether the records
-- agree) in the calibrated table reason_confidence.
-- Written so that every step can spill to disk at 10M applications: the top reason is a grouped
-- arg_min, and the evidence is a list of at most three items built per row (no ordered or list
-- aggregates).
create or replace table reason_assignments as
-- Reasons the note rules out (reason_note_ruled_out). Policy 8: they are no evidence, so
-- neither the records nor the ATS code can decide them.
with note_ruled_out as (
    select application_id, reason from reason_note_ruled_out
),
-- The records' evidence, less what the note rules out: at most one row per reason (see
-- reason_structured_evidence), so a reason's row is its evidence, with no ranking.
structured_evidence as (
    select s.*, t.priority
    from reason_structured_evidence s
    join reason_taxonomy t using (reason)
    anti join note_ruled_out o on o.application_id = s.application_id and o.reason = s.reason
),
-- The records' top reason (taxonomy priority, then rule) and how many reasons they point to.
-- Aggregates, not windows: the three windows this replaces cost 6 s of CPU at 10M applications.
structured_top as (
    select application_id, count(*) as n_reasons,
           arg_min(reason, {'priority': priority, 'rule_id': rule_id}) as reason
    from structured_evidence
    group by application_id
),
decided as (
    select
        c.application_id,
        case
            when n.reason <> 'unknown' then n.reason
            when n.ats_reason is not null and o.reason is null then n.ats_reason
            when s.reason is not null then s.reason
            else 'unknown'
        end as reason,
        n.reason as note_reason, n.reader, s.reason as records_reason,
        s.n_reasons,
        case when n.reason <> 'unknown' then
            case when n.reason = n.rule_reason then n.rule_detail else n.model_detail end
        end as note_detail,
        case when n.reason <> 'unknown' then
            case when n.reason = n.rule_reason then n.rule_id else 'txt_model' end
        end as note_rule,
        case when n.reason <> 'unknown' then
            case when n.reason = n.rule_reason then n.snippet
                 else 'model reading: ' || n.model_reason || coalesce(':' || n.model_detail, '')
                      || ' (p=' || round(n.probability, 2) || ')' end
        end as note_snippet,
        -- an ATS code whose reason the note rules out is no evidence (policy 4)
        case when o.reason is null then n.ats_reason end as ats_reason,
        case when o.reason is null then n.ats_detail end as ats_detail,
        case when o.reason is null then n.ats_rule end as ats_rule,
        case when o.reason is null then n.ats_snippet end as ats_snippet
    from post_interview_rejections c
    left join reason_note_readings n using (application_id)
    left join structured_top s using (application_id)
    left join note_ruled_out o on o.application_id = c.application_id and o.reason = n.ats_reason
),
pathed as (
    select d.*, r.rule_id as records_rule, r.detail as records_detail,
           r.source_field as records_field, r.value_or_snippet as records_value,
           case
               when d.note_reason <> 'unknown' then 'note_' || d.reader
                   || case when r.application_id is not null then '_agrees_with_records'
                           when d.records_reason is not null then '_over_records' else '' end
               when d.ats_reason is not null then 'ats_code'
                   || case when r.application_id is not null then '_agrees_with_records'
                           when d.records_reason is not null then '_over_records' else '' end
               when d.records_reason is not null and d.n_reasons > 1 then 'structured_several'
               when d.records_reason is not null then 'structured_' || d.records_reason
               else 'no_evidence'
           end as path
    from decided d
    -- the records' evidence for the reason decided, when they point to it
    left join structured_evidence r on r.application_id = d.application_id and r.reason = d.reason
)
select
    p.application_id,
    p.reason,
    case p.reason
        when 'background_check' then coalesce(b.report_detail, 'no_record')
        when 'other' then coalesce(p.note_detail, p.ats_detail)
        when 'unknown' then null
        else coalesce(p.records_detail, 'stated_in_notes')
    end as detail,
    k.confidence,
    p.path as decision_path,
    -- What decided it: the note's statement, the records that point the same way, and the ATS
    -- entry when it agrees (only the note's statement when two of its statements conflict).
    to_json(list_filter([
        case when p.note_rule is not null then
            {'rule': p.note_rule, 'source_field': 'recruiter_note', 'value_or_snippet': p.note_snippet} end,
        case when p.records_rule is not null and p.path not like 'note_rules_conflict%' then
            {'rule': p.records_rule, 'source_field': p.records_field, 'value_or_snippet': p.records_value} end,
        case when p.ats_rule is not null and p.ats_reason = p.reason
                  and p.path not like 'note_rules_conflict%' then
            {'rule': p.ats_rule, 'source_field': 'ats_rejection_reason', 'value_or_snippet': p.ats_snippet} end
    ], lambda x: x is not null)) as evidence,
    {{ rules_version }} as rules_version
from pathed p
left join background_check_status b using (application_id)
left join reason_confidence k on k.path = p.path;
