-- reason_note_readings: what each cohort rejection's texts say, one row per application: the
-- note's reading (the trained text model when it is sure, also when it is sure the note gives no
-- reason; else the text rules; else the model's weaker reading; never a reason the note rules
-- out), which reader decided it, and the ATS field's reading. reason_assignments weighs it
-- against the records. Its own table so that no single statement holds every ranking at once.
create or replace table reason_note_readings as
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
    -- a statement the note later sets aside is no evidence either
    anti join reason_note_ruled_out o on o.application_id = e.application_id
        and o.reason = r.reason and e.source_field = 'recruiter_note'
    where not e.negated
),
-- The strongest evidence for each reason, per field (ties broken by rule and clause, so that
-- every run picks the same evidence).
text_by_reason as (
    select application_id, source_field, reason, priority, score, rule_id, detail, snippet
    from text_scored
    qualify row_number() over (partition by application_id, source_field, reason
                               order by score desc, rule_id, clause_no) = 1
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
-- Never a reason the note rules out ("screening came back fine", reason_note_ruled_out): it
-- vetoes the model's reading of that reason.
ruled_out as (
    select application_id, reason from reason_note_ruled_out
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
)
select n.*, a.reason as ats_reason, a.detail as ats_detail, a.rule_id as ats_rule,
       a.snippet as ats_snippet
from note_reading n
left join ats_top a using (application_id);
