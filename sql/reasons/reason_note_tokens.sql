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
-- Each note is read as flat lists, one entry per part of any clause (its words, the clause it
-- belongs to, whether it opens that clause, whether it rules out or dismisses), so that what a
-- part needs from the rest of its note (is any clause decisive, does a later clause follow a
-- contrast word, does a later part of its clause or the first part of the next clause dismiss
-- it) is a lookup by position, and a token said twice in a note is dropped within the note, with
-- no join, window or grouping over every token of every note. (Lists of clauses of parts of
-- words, indexed three deep, gave the same tokens 12 % slower.)
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
-- clause i: decisive[i], after_contrast[i]; nested[i]: its parts
clause_lists as (
    select application_id,
           list_transform(clauses, lambda c: regexp_matches(c, {{ decisive_cue }})) as decisive,
           -- (a clause without words yields no tokens, so it cannot be the decisive one)
           list_transform(clauses, lambda c: starts_with(c, chr(2)) and regexp_matches(c, '[a-z0-9]'))
               as after_contrast,
           list_transform(clauses, lambda c: regexp_split_to_array(c, '[,:]')) as nested
    from notes
),
-- part j of the note: its clause clause_of[j], whether it opens it (opens[j]), its words
-- words[j], whether it only dismisses what came before (dismissal[j]) or rules a reason out
-- after naming it (ruled_out[j])
part_lists as (
    select application_id, decisive, after_contrast, clause_of, opens,
           list_transform(parts, lambda p: regexp_extract_all(p, '[a-z0-9]+(?:''[a-z]+)?')) as words,
           list_transform(parts, lambda p: regexp_matches(p, {{ dismissal }})) as dismissal,
           list_transform(parts, lambda p: regexp_matches(p, {{ ruled_out }})) as ruled_out
    from (
        select *, flatten(nested) as parts,
               flatten(list_transform(nested, lambda ps, i: list_transform(ps, lambda p: i)))
                   as clause_of,
               flatten(list_transform(nested, lambda ps: list_transform(ps, lambda p, k: k = 1)))
                   as opens
        from clause_lists
    )
),
scoped as (
    select application_id, words,
           -- per part: is its clause the decisive one (one with a decisive cue, else the last
           -- after a contrast word)
           list_transform(clause_of, lambda i:
               decisive[i] or (after_contrast[i] and not list_bool_or(decisive)
                               and not coalesce(list_bool_or(after_contrast[i + 1:]), false)))
               as last_contrast,
           -- per part: is its clause hypothetical (a word of any of its parts)
           case when list_bool_or(hypothetical) then
               list_transform(clause_of, lambda i:
                   list_bool_or(list_filter(hypothetical, lambda h, j: clause_of[j] = i)))
           else hypothetical end as hypothetical,
           -- per part: is it ruled out as a whole (it rules a reason out, or a later part of its
           -- clause, or the first part of the next clause, only dismisses what came before it)
           case when list_bool_or(dismissal) then
               list_transform(ruled_out, lambda r, j: r or list_bool_or(list_transform(dismissal,
                   lambda d, k: d and k > j and (clause_of[k] = clause_of[j]
                                                 or (clause_of[k] = clause_of[j] + 1 and opens[k])))))
           else ruled_out end as whole
    from (
        select *, list_transform(words, lambda w: list_has_any(w, {{ hypothetical_words }}))
                      as hypothetical
        from part_lists
    )
),
marked as (
    select application_id, last_contrast,
           list_transform(words, lambda w, j:
               -- a part ruled out as a whole ("even if the vetting had been quicker") is `not_`
               -- even in a hypothetical clause
               case when whole[j] then list_transform(w, lambda x: 'not_' || x)
                    when hypothetical[j] then list_transform(w, lambda x: 'if_' || x)
                    else list_transform(w, lambda x, k:
                             case when k > negation_at[j] then 'not_' else '' end || x)
               end) as m
    from (
        -- per part: the position of its first negation word (past its end when none)
        select *, list_transform(words, lambda w:
                      coalesce(list_position(list_transform(w, lambda x:
                          regexp_full_match(x, {{ negation_word }})), true), len(w) + 1))
                      as negation_at
        from scoped
    )
),
-- each part's words and word pairs, and with `last_` again in the decisive clause
grams as (
    select application_id, last_contrast,
           list_transform(m, lambda p: p || list_transform(p[2:], lambda x, k: p[k] || ' ' || x))
               as g
    from marked
)
select application_id,
       unnest(list_distinct(flatten(list_transform(g, lambda p, j:
           case when last_contrast[j] then p || list_transform(p, lambda t: 'last_' || t)
                else p end)))) as token
from grams;
