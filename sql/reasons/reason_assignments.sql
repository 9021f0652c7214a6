-- reason_assignments: one reason per post-interview rejection, with a confidence and the
-- evidence that decided it.
-- Precedence (the labeling policy): what the recruiter note states outweighs everything; a clear
-- ATS code ("hired another candidate") counts when the note is silent; then the records
-- (structured evidence, in taxonomy priority); no evidence at all = unknown.
-- Reading the note: the trained text model when it is sure (also when it is sure the note gives
-- no reason: "decision after debrief"), else the text rules, else the model's weaker reading.
-- The confidence is looked up by decision path (which readers decided, and whether the records
-- agree) in the calibrated table reason_confidence.
create or replace table reason_assignments as
with text_scored as (
    select e.application_id, e.source_field, e.rule_id, e.snippet, r.reason, r.detail,
           t.priority,
           (r.weight + case when e.after_contrast then {{ contrast_bonus }} else 0 end
                     + case when e.decisive then {{ decisive_bonus }} else 0 end
                     - case when e.aftermath then {{ aftermath_penalty }} else 0 end)
               * case when e.source_field = 'ats_rejection_reason'
                      then {{ ats_weight_factor }} else 1 end as score,
           e.clause_no
    from reason_text_evidence e
    join reason_rules r using (rule_id)
    join reason_taxonomy t using (reason)
    where not e.negated
),
-- The strongest evidence for each reason, per field.
text_by_reason as (
    select application_id, source_field, reason, priority,
           max(score) as score,
           -- ties broken by rule and clause, so that every run picks the same evidence
           first(rule_id order by score desc, rule_id, clause_no) as rule_id,
           first(detail order by score desc, rule_id, clause_no) as detail,
           first(snippet order by score desc, rule_id, clause_no) as snippet
    from text_scored
    group by all
),
text_ranked as (
    select *, row_number() over (partition by application_id, source_field
                                 order by score desc, priority) as rank
    from text_by_reason
),
note_top as (
    select t.application_id, t.reason, t.detail, t.rule_id, t.snippet, t.score,
           s.score as runner_up_score
    from text_ranked t
    left join text_ranked s on s.application_id = t.application_id
        and s.source_field = t.source_field and s.rank = 2
    where t.source_field = 'recruiter_note' and t.rank = 1
),
ats_top as (
    select application_id, reason, detail, rule_id, snippet, score
    from text_ranked
    where source_field = 'ats_rejection_reason' and rank = 1
),
-- Never a reason the note itself rules out ("screening came back fine"): a rule cancelled in
-- the note, and not stated elsewhere in it, vetoes the model's reading of that reason.
ruled_out as (
    select e.application_id, r.reason
    from reason_text_evidence e join reason_rules r using (rule_id)
    where e.source_field = 'recruiter_note'
    group by all
    having bool_and(e.negated)
),
model as (
    select m.application_id, m.probability,
           split_part(m.label, ':', 1) as reason,
           nullif(split_part(m.label, ':', 2), '') as detail
    from reason_text_model m
    anti join ruled_out o on o.application_id = m.application_id
        and o.reason = split_part(m.label, ':', 1)
    where not m.vetoed
),
-- What the note states, and which reader said so.
note_reading as (
    select application_id,
           case when m.probability >= {{ model_sure }} then m.reason
                when n.reason is not null then n.reason
                when m.probability >= {{ model_min }} and m.reason <> 'unknown' then m.reason
           end as reason,
           case when m.probability >= {{ model_sure }}
                    then case when n.reason = m.reason then 'rules_and_model' else 'model' end
                when n.reason is not null
                    then case when n.reason = m.reason then 'rules_and_model'
                              when n.runner_up_score >= n.score - {{ conflict_margin }} then 'rules_conflict'
                              else 'rules' end
                when m.probability >= {{ model_min }} and m.reason <> 'unknown' then 'model_weak'
           end as reader,
           n.reason as rule_reason, n.detail as rule_detail, n.rule_id, n.snippet,
           m.reason as model_reason, m.detail as model_detail, m.probability
    from post_interview_rejections c
    left join note_top n using (application_id)
    left join model m using (application_id)
),
structured as (
    select s.*, t.priority,
           count(*) over (partition by s.application_id) as n_structured
    from reason_structured_evidence s
    join reason_taxonomy t using (reason)
),
structured_reasons as (
    select application_id, list(distinct reason) as reasons from structured group by 1
),
structured_top as (
    select * from structured
    qualify row_number() over (partition by application_id order by priority, rule_id) = 1
),
decided as (
    select
        c.application_id,
        case
            when n.reason <> 'unknown' then n.reason
            when a.reason is not null then a.reason
            when s.reason is not null then s.reason
            else 'unknown'
        end as reason,
        case
            when n.reason <> 'unknown' then 'note_' || n.reader
                || case when list_contains(r.reasons, n.reason) then '_agrees_with_records'
                        when s.reason is not null then '_over_records' else '' end
            when a.reason is not null then 'ats_code'
                || case when list_contains(r.reasons, a.reason) then '_agrees_with_records'
                        when s.reason is not null then '_over_records' else '' end
            when s.reason is not null and s.n_structured > 1 then 'structured_several'
            when s.reason is not null then 'structured_' || s.reason
            else 'no_evidence'
        end as path,
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
        a.reason as ats_reason, a.detail as ats_detail, a.rule_id as ats_rule, a.snippet as ats_snippet
    from post_interview_rejections c
    left join note_reading n using (application_id)
    left join structured_top s using (application_id)
    left join structured_reasons r using (application_id)
    left join ats_top a using (application_id)
),
evidence as (
    -- What decided it: the note's statement, the ATS entry when it agrees, and the records
    -- that point the same way.
    select d.application_id,
           list({'rule': e.rule_id, 'source_field': e.source_field,
                 'value_or_snippet': e.value_or_snippet}
                order by e.ord, e.rule_id, e.source_field) as items
    from decided d
    join (
        select application_id, note_rule as rule_id, 'recruiter_note' as source_field,
               note_snippet as value_or_snippet, reason, 1 as ord
        from decided where note_rule is not null
        union all
        select application_id, rule_id, source_field, value_or_snippet, reason, 2
        from reason_structured_evidence
        union all
        select application_id, ats_rule, 'ats_rejection_reason', ats_snippet, ats_reason, 3
        from decided where ats_rule is not null
    ) e on e.application_id = d.application_id and e.reason = d.reason
    where d.path not like 'note_rules_conflict%' or e.ord = 1
    group by d.application_id
)
select
    d.application_id,
    d.reason,
    case d.reason
        when 'background_check' then coalesce(b.report_detail, 'no_record')
        when 'other' then coalesce(d.note_detail, d.ats_detail)
        when 'unknown' then null
        else coalesce(
            (select first(x.detail order by x.priority, x.rule_id) from structured x
             where x.application_id = d.application_id and x.reason = d.reason),
            'stated_in_notes')
    end as detail,
    k.confidence,
    d.path as decision_path,
    coalesce(to_json(ev.items), '[]'::json) as evidence,
    {{ rules_version }} as rules_version
from decided d
left join background_check_status b using (application_id)
left join reason_confidence k on k.path = d.path
left join evidence ev using (application_id);
