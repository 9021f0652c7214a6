-- reason_text_evidence: every text rule that matched a clause of a cohort rejection's
-- recruiter_note or ats_rejection_reason.
-- Text (normalised once in reason_notes) is split into clauses at sentence ends and at contrast words, because "great background,
-- but the finalist had six more years" carries its reason in the second clause. A clause after
-- but / however / yet is marked: it usually states what decided; so is a clause with a decisive
-- cue ("the real issue was", "came down to"). A clause about what happened meanwhile ("by then
-- the role was filled") is an aftermath and weighs less.
-- text_rule_hits(clause) (a macro generated from the rules file's [[text_rules]] by
-- pipelines/reasons/rules.py) lists the ids of the rules whose pattern matches the clause; a match
-- is kept with negated = true ('!' + id) when a negation cue stands just before it or its `unless`
-- pattern is present ("background check came back clean"), so that no other reader of the note
-- (the text model) can assign a reason the note rules out. Each rule's reason, detail and weight
-- are in the reason_rules table.
create or replace table reason_text_evidence as
with normalised as (select * from reason_notes),
marked as (
    -- chr(1) ends a clause; chr(2) starts one that follows a contrast word.
    select application_id, source_field,
           regexp_replace(
               regexp_replace(text, {{ contrast_words }}, chr(1) || chr(2), 'g'),
               {{ clause_breaks }}, chr(1), 'g') as text
    from normalised
),
clauses as (
    select application_id, source_field,
           unnest(generate_series(1, len(parts))) as clause_no,
           unnest(parts) as part,
           len(parts) as n_clauses
    from (select *, string_split(text, chr(1)) as parts from marked)
),
matched as (
    select application_id, source_field, clause_no, n_clauses, clause,
           starts_with(part, chr(2)) as after_contrast,
           regexp_matches(clause, {{ decisive_cue }}) as decisive,
           regexp_matches(clause, {{ aftermath_cue }}) as aftermath,
           list_has_any(regexp_extract_all(clause, '[a-z0-9]+(?:''[a-z]+)?'), {{ hypothetical_words }})
               as hypothetical,
           unnest(text_rule_hits(clause)) as hit
    from (select *, trim(replace(part, chr(2), '')) as clause from clauses)
    where clause <> ''
),
-- Rules matching a part of the clause (up to a comma) that rules its reason out after naming it
-- ("the other candidate's degree is not why").
ruled_out as (
    select distinct application_id, source_field, clause_no, ltrim(unnest(text_rule_hits(part)), '!') as rule_id
    from (
        select application_id, source_field, clause_no, unnest(string_split(clause, ',')) as part
        from matched
        where regexp_matches(clause, {{ ruled_out }})
    )
    where regexp_matches(part, {{ ruled_out }})
)
-- A hypothetical clause names the blocker even through a negation or its `unless` ("had the
-- check come back clean we would have hired"; "if they hadn't cancelled the req").
select m.application_id, m.source_field, m.clause_no, m.n_clauses, ltrim(m.hit, '!') as rule_id,
       (starts_with(m.hit, '!') and not m.hypothetical) or r.rule_id is not null as negated,
       m.after_contrast, m.decisive, m.aftermath,
       left(m.clause, 120) as snippet
from matched m
left join ruled_out r on r.application_id = m.application_id and r.source_field = m.source_field
    and r.clause_no = m.clause_no and r.rule_id = ltrim(m.hit, '!');
