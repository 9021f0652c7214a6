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
-- A view, computed when read: only the text model reads it, in one pass, so its 36M rows at 10M
-- applications are never written to disk and read back.
-- Each note is read as lists (its clauses, each clause's parts, each part's words), so that what a
-- part needs from the rest of its note (is any clause decisive, does a later clause follow a
-- contrast word, does a later part of its clause or the first part of the next clause dismiss
-- it) is a list lookup, and a token said twice in a note is dropped within the note, with no
-- join, window or grouping over every token of every note.
create or replace view reason_note_tokens as
with notes as (
    -- runs of breaks collapse into one, as in reason_text_evidence
    select application_id,
           string_split(
               regexp_replace(
                   regexp_replace(
                       regexp_replace(
                           regexp_replace(text, {{ boilerplate }}, ' ', 'g'),
                           {{ contrast_words }}, chr(1) || chr(2), 'g'),
                       {{ clause_breaks }}, chr(1), 'g'),
                   chr(1) || '[\s' || chr(1) || ']*', chr(1), 'g'),
               chr(1)) as clauses
    from reason_notes
    where source_field = 'recruiter_note'
),
-- clause i: decisive[i], after_contrast[i]; part j of clause i: parts[i][j], its words
-- words[i][j], whether it only dismisses what came before (dismissal[i][j]) or rules a reason
-- out after naming it (ruled_out[i][j])
clause_lists as (
    select application_id,
           list_transform(clauses, lambda c: regexp_matches(c, {{ decisive_cue }})) as decisive,
           -- (a clause without words yields no tokens, so it cannot be the decisive one)
           list_transform(clauses, lambda c: starts_with(c, chr(2)) and regexp_matches(c, '[a-z0-9]'))
               as after_contrast,
           list_transform(clauses, lambda c: regexp_split_to_array(c, '[,:]')) as parts
    from notes
),
part_lists as (
    select application_id, decisive, after_contrast,
           list_transform(parts, lambda c: list_transform(c, lambda p:
               regexp_extract_all(p, '[a-z0-9]+(?:''[a-z]+)?'))) as words,
           list_transform(parts, lambda c: list_transform(c, lambda p:
               regexp_matches(p, {{ dismissal }}))) as dismissal,
           list_transform(parts, lambda c: list_transform(c, lambda p:
               regexp_matches(p, {{ ruled_out }}))) as ruled_out
    from clause_lists
),
scoped as (
    select application_id, words,
           list_transform(words, lambda c: list_has_any(flatten(c), {{ hypothetical_words }}))
               as hypothetical,
           -- the decisive clause: one with a decisive cue, else the last after a contrast word
           list_transform(generate_series(1, len(words)), lambda i:
               decisive[i] or (after_contrast[i] and not list_bool_or(decisive)
                               and not coalesce(list_bool_or(after_contrast[i + 1:]), false)))
               as last_contrast,
           -- per part: 0 when the part is ruled out as a whole (it rules a reason out, or a
           -- later part of its clause, or the first part of the next clause, only dismisses
           -- what came before it); else the position of its first negation word; else -1
           list_transform(generate_series(1, len(words)), lambda i:
               list_transform(generate_series(1, len(words[i])), lambda j:
                   case when ruled_out[i][j] or coalesce(dismissal[i + 1][1], false)
                             or coalesce(list_bool_or(dismissal[i][j + 1:]), false) then 0
                        else coalesce(list_position(list_transform(words[i][j], lambda x:
                                 regexp_full_match(x, {{ negation_word }})), true), -1)
                   end)) as negated_after
    from part_lists
),
marked as (
    select application_id, last_contrast,
           list_transform(generate_series(1, len(words)), lambda i:
               list_transform(generate_series(1, len(words[i])), lambda j:
                   list_transform(generate_series(1, len(words[i][j])), lambda k:
                       -- a part ruled out as a whole ("even if the vetting had been quicker") is
                       -- `not_` even in a hypothetical clause
                       case when negated_after[i][j] = 0 then 'not_'
                            when hypothetical[i] then 'if_'
                            when negated_after[i][j] > 0 and k > negated_after[i][j] then 'not_'
                            else '' end || words[i][j][k]))) as m
    from scoped
),
-- each clause's words and word pairs (within a part)
grams as (
    select application_id, last_contrast,
           list_transform(m, lambda c: flatten(list_transform(c, lambda p:
               p || list_transform(generate_series(1, len(p) - 1), lambda k: p[k] || ' ' || p[k + 1]))))
               as g
    from marked
)
select application_id,
       unnest(list_distinct(flatten(list_transform(generate_series(1, len(g)), lambda i:
           case when last_contrast[i] then g[i] || list_transform(g[i], lambda t: 'last_' || t)
                else g[i] end)))) as token
from grams;
