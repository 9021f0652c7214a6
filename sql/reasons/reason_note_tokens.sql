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
-- Each note is read as lists: per clause (is it decisive, hypothetical, where is its last part
-- that dismisses what came before, does it open with a dismissal of the clause before, which
-- parts give a verdict on the one item before them), and per part of any
-- clause, flat (its words, its clause, its position in it, does it rule a reason out), so that
-- what a part needs from the rest of its note is one lookup in its clause's entries, a cost
-- linear in the note's length, and a token said twice in a note is dropped within the note,
-- with no join, window or grouping over every token of every note.
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
-- clause i: decisive[i], after_contrast[i]; its parts parts[i], their words words[i][k] and
-- what each sets aside (dismissal[i][k]): 1, what came before it (`dismissal`); 2, only the item
-- before it (`dismissal_item`, or a dismissal after a colon that does not cover several things,
-- `dismissal_all`: a part after a colon starts with chr(3)); 0, nothing
clause_lists as (
    select application_id, decisive, after_contrast, parts,
           list_transform(parts, lambda ps: list_transform(ps, lambda p:
               regexp_extract_all(p, '[a-z0-9]+(?:''[a-z]+)?'))) as words,
           list_transform(parts, lambda ps: list_transform(ps, lambda p:
               case when regexp_matches(p, {{ dismissal }})
                        then case when starts_with(p, chr(3))
                                       and not regexp_matches(p, {{ dismissal_all }})
                                  then 2 else 1 end
                    when regexp_matches(p, {{ dismissal_item }}) then 2
                    else 0
               end)) as dismissal
    from (
        select application_id,
               list_transform(clauses, lambda c: regexp_matches(c, {{ decisive_cue }})) as decisive,
               -- (a clause without words yields no tokens, so it cannot be the decisive one)
               list_transform(clauses, lambda c:
                   starts_with(c, chr(2)) and regexp_matches(c, '[a-z0-9]')) as after_contrast,
               -- (a separator ending the clause leaves no empty part: "manageable, but ...")
               list_transform(clauses, lambda c: regexp_split_to_array(
                   rtrim(replace(c, ':', ':' || chr(3)), ' ,:' || chr(3)), '[,:]')) as parts
        from notes
    )
),
-- per clause: the decisive one (one with a decisive cue, else the last after a contrast word);
-- hypothetical (a word of any of its parts); the position of its last part that dismisses what
-- came before (0: none); does it dismiss the clause before (its first part dismisses what came
-- before, or it is one verdict on its own, "Not an issue."; "Fine, we withdrew the offer" is
-- an interjection)
clause_scope as (
    select application_id, parts, words, dismissal,
           list_transform(decisive, lambda d, i:
               d or (after_contrast[i] and not any_decisive and i = last_contrast_word))
               as last_contrast,
           list_transform(words, lambda c: list_has_any(flatten(c), {{ hypothetical_words }}))
               as hypothetical,
           list_transform(dismissal, lambda ds:
               coalesce(list_max(list_transform(ds, lambda d, k: case when d = 1 then k end)), 0))
               as last_dismissal,
           list_transform(dismissal, lambda ds: ds[1] = 1 or (ds[1] = 2 and len(ds) = 1))
               as opens_dismissal
    from (
        select *, list_bool_or(decisive) as any_decisive,
               list_max(list_transform(after_contrast, lambda a, i: case when a then i end))
                   as last_contrast_word
        from clause_lists
    )
),
-- part j of the note, flat: its clause clause_of[j], its position in it place[j], its words
-- words[j]; ruled out as a whole (whole[j]) when it rules a reason out after naming it, or a
-- later part of its clause dismisses what came before it, or the next part gives a verdict on
-- it, or the next clause dismisses the clause before
scoped as (
    select application_id, words, clause_of,
           list_transform(clause_of, lambda i: last_contrast[i]) as last_contrast,
           list_transform(clause_of, lambda i: hypothetical[i]) as hypothetical,
           list_transform(flatten(parts), lambda p, j:
               regexp_matches(p, {{ ruled_out }}) or place[j] < last_dismissal[clause_of[j]]
               or coalesce(dismissal[clause_of[j]][place[j] + 1] = 2, false)
               or coalesce(opens_dismissal[clause_of[j] + 1], false)) as whole
    from (
        select application_id, last_contrast, hypothetical, last_dismissal, opens_dismissal,
               dismissal,
               parts, flatten(words) as words,
               flatten(list_transform(parts, lambda ps, i: list_transform(ps, lambda p: i)))
                   as clause_of,
               flatten(list_transform(parts, lambda ps: list_transform(ps, lambda p, k: k)))
                   as place
        from clause_scope
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
-- each part's words and word pairs (the decisive clause's again with `last_`, below)
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
