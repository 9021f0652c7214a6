-- reason_text_model: what the trained text model (a linear model over the scoped words and word
-- pairs of the note, rules/text_model_v1/) reads in each cohort note: its most likely label and
-- that label's probability. reason_assignments.sql weighs it against the text rules.
-- Score of a label = its bias + the sum of the note's token weights for it; probability = softmax.
-- One pass: each token row is joined once to its weight list (one weight per label) and summed
-- (model_sums: one rounded sum per label, generated from the model by pipelines/reasons/model.py).
create or replace table reason_text_model as
with sums as (
    select t.application_id, {{ model_sums }} as s
    from reason_note_tokens t
    join text_model_weights w using (token)
    group by t.application_id
),
biases as (
    select list(bias order by position) as b from text_model_labels
),
scores as (
    select application_id, list_transform(generate_series(1, len(b)), lambda i: b[i] + s[i]) as score
    from sums, biases
),
best as (
    select application_id,
           list_position(score, list_max(score)) as position,
           1.0 / list_sum(list_transform(score, lambda x: exp(x - list_max(score)))) as probability
    from scores
),
notes as (
    select application_id, text from reason_notes where source_field = 'recruiter_note'
)
-- vetoed: the note says the label's reason did not happen ("screening came back fine"), in words
-- a bag of words cannot read as ruling it out; a hypothetical note ("had it come back clean we
-- would have hired") names the blocker instead, so it is never vetoed.
-- (a case, so that only the 1 % of notes a veto matches have their words read: reading every
-- note's words took 4 s at 10M applications)
select b.application_id, l.label, round(b.probability, 12) as probability,
       case when model_vetoed(l.label, n.text)
            then not list_has_any(regexp_extract_all(n.text, '[a-z0-9]+(?:''[a-z]+)?'),
                                  {{ hypothetical_words }})
            else false
       end as vetoed
from best b
join text_model_labels l using (position)
join notes n using (application_id);
