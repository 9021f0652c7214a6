-- reason_note_tokens: what the text model reads in each cohort recruiter note: its words and word
-- pairs, each marked with the scope it stands in, after the rules file's normalisation
-- (reason_notes). The text model is trained on exactly these tokens (pipelines/text_model.py
-- runs this file on its training notes).
-- Scope, in the spirit of NegEx/ConText: the note is cut into clauses (sentence ends, dashes,
-- brackets, and contrast words such as "but") and clauses into parts at commas and colons; inside a part,
-- every word after a negation cue ("not", "no", "never", "wasn't", "without") is marked `not_`,
-- and every word of a part that rules a reason out after naming it ("his degree is not why",
-- "nothing to do with the visa": the rules file's `ruled_out`) is marked `not_` too; every word
-- of a hypothetical clause ("had the check cleared we would have offered", "if we had two
-- seats") is marked `if_`, so that a counterfactual is read as naming the blocker;
-- the words of the decisive clause, where the reason usually stands (one with a decisive cue:
-- "the deciding factor", "because", "is why"; else the one after the last contrast word), are
-- repeated with `last_`. Greeting, sign-off and forwarded-header lines carry nothing
-- and are dropped.
create or replace table reason_note_tokens as
with notes as (
    select application_id,
           regexp_replace(text, {{ boilerplate }}, ' ', 'g') as text
    from reason_notes
    where source_field = 'recruiter_note'
),
clauses as (
    select application_id, clause_no, n_clauses,
           starts_with(part, chr(2)) as after_contrast,
           regexp_matches(part, {{ decisive_cue }}) as decisive,
           list_has_any(regexp_extract_all(part, '[a-z0-9]+(?:''[a-z]+)?'), {{ hypothetical_words }})
               as hypothetical,
           unnest(generate_series(1, len(regexp_split_to_array(part, '[,:]')))) as part_no,
           unnest(regexp_split_to_array(part, '[,:]')) as segment
    from (
        select application_id,
               unnest(generate_series(1, len(parts))) as clause_no,
               unnest(parts) as part,
               len(parts) as n_clauses
        from (
            -- runs of breaks collapse into one, as in reason_text_evidence
            select application_id,
                   string_split(
                       regexp_replace(
                           regexp_replace(
                               regexp_replace(text, {{ contrast_words }}, chr(1) || chr(2), 'g'),
                               {{ clause_breaks }}, chr(1), 'g'),
                           chr(1) || '[\s' || chr(1) || ']*', chr(1), 'g'),
                       chr(1)) as parts
            from notes
        )
    )
),
-- Parts that only set aside what came before them ("none of it was a blocker", "(not the
-- reason)"): the parts before them in their clause, or the clause before when they open theirs,
-- are ruled out.
dismissals as (
    select application_id, clause_no, part_no
    from clauses
    where regexp_matches(segment, {{ dismissal }})
),
segments as (
    select c.*, regexp_extract_all(c.segment, '[a-z0-9]+(?:''[a-z]+)?') as w,
           d.application_id is not null as dismissed
    from clauses c
    left join (
        select application_id, clause_no, part_no from dismissals
        union
        select application_id, clause_no - 1, 1000000 from dismissals where part_no = 1
    ) d on d.application_id = c.application_id and d.clause_no = c.clause_no
        and c.part_no < d.part_no
),
scoped as (
    select application_id, w, hypothetical,
           case when dismissed or regexp_matches(segment, {{ ruled_out }}) then 0
                else coalesce(list_position(list_transform(w, lambda x:
                         regexp_full_match(x, {{ negation_word }})), true), -1)
           end as negated_after,
           decisive or (after_contrast and not bool_or(decisive) over (partition by application_id)
               and clause_no = max(case when after_contrast then clause_no end)
                   over (partition by application_id)) as last_contrast
    from segments
    where len(w) > 0
),
marked as (
    select application_id, last_contrast,
           list_transform(generate_series(1, len(w)), lambda i:
               -- a part ruled out as a whole ("even if the vetting had been quicker") is `not_`
               -- even in a hypothetical clause
               case when negated_after = 0 then 'not_' when hypothetical then 'if_'
                    when negated_after > 0 and i > negated_after then 'not_' else '' end || w[i]) as m
    from scoped
),
grams as (
    select application_id, last_contrast,
           m || list_transform(generate_series(1, len(m) - 1), lambda i: m[i] || ' ' || m[i + 1]) as g
    from marked
)
select distinct application_id, token
from (
    select application_id, unnest(g) as token from grams
    union all
    select application_id, 'last_' || unnest(g) from grams where last_contrast
);
