-- reason_text_model: what the small trained text model (naive Bayes over words and word pairs,
-- rules/text_model_v1/) reads in each cohort note. It is the fallback for notes that state a
-- reason in words no rule knows; reason_assignments.sql uses it only where no rule matched the
-- note and the model is confident.
-- Score of a label = log prior + for each known token in the note its log likelihood under the
-- label (tokens a label never saw get the shared smoothing value, log_unseen).
create or replace table reason_text_model as
with tokens as (select * from reason_note_tokens),
known as (
    select t.application_id, t.token
    from tokens t semi join (select distinct token from text_model_weights) v using (token)
),
n_known as (
    select application_id, count(*) as n from known group by 1
),
token_sums as (
    -- an exact (decimal) sum: the same note scores the same whatever order its tokens come in
    select k.application_id, w.label, sum(w.log_ratio::decimal(18, 12))::double as s
    from known k join text_model_weights w using (token)
    group by all
),
scores as (
    select n.application_id, l.label, l.log_prior + n.n * l.log_unseen + coalesce(t.s, 0) as score
    from n_known n
    cross join text_model_labels l
    left join token_sums t on t.application_id = n.application_id and t.label = l.label
),
shifted as (
    select application_id, label,
           exp(score - max(score) over (partition by application_id)) as e
    from scores
),
best as (
    select application_id, label, probability
    from (
        select application_id, label,
               round(e / sum(e) over (partition by application_id), 12) as probability
        from shifted
    )
    qualify row_number() over (partition by application_id order by probability desc, label) = 1
),
notes as (
    select application_id, text from reason_notes where source_field = 'recruiter_note'
)
-- vetoed: the note matches an `unless` pattern of a rule for the label's reason ("screening came
-- back fine"): words a bag-of-words model cannot read as ruling the reason out.
select b.application_id, b.label, b.probability, model_vetoed(split_part(b.label, ':', 1), n.text) as vetoed
from best b join notes n using (application_id);
