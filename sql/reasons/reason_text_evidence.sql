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
-- (the text model) can assign a reason the note rules out. A rule is ruled out too in a part that
-- names and dismisses it ("the visa was not why": the rules file's `ruled_out`), in the parts
-- or the clause just before a part that dismisses what came before ("... - none of that was a
-- blocker": `dismissal`), as NegEx's backward scope, and in the one item before a verdict on it
-- ("location: fine": `dismissal_item`, or a dismissal after a colon); the token view
-- (reason_note_tokens) reads the same backward scopes, except that it applies them also where
-- the dismissing part names a reason itself. Each rule's reason, detail and weight are in the
-- reason_rules table.
create or replace table reason_text_evidence as
-- A recruiter note is read per rejection (nearly every note is distinct); an ATS rejection reason
-- is a pick-list value (a few distinct texts, see reason_notes), read once per distinct text and
-- joined back to its rejections at the end. `note` keys a text: its application for a recruiter
-- note, the text itself for an ATS value.
with normalised as (
    select application_id as note, source_field, text
    from reason_notes
    where source_field = 'recruiter_note'
    union all
    select distinct text, source_field, text
    from reason_notes
    where source_field = 'ats_rejection_reason'
),
marked as (
    -- chr(1) ends a clause; chr(2) starts one that follows a contrast word. Runs of breaks
    -- collapse into one, so that "the commute - but none of that mattered" has no empty clause
    -- between its two.
    select note, source_field,
           regexp_replace(
               regexp_replace(
                   regexp_replace(text, {{ contrast_words }}, chr(1) || chr(2), 'g'),
                   {{ clause_breaks }}, chr(1), 'g'),
               chr(1) || '[\s' || chr(1) || ']*', chr(1), 'g') as text
    from normalised
),
clauses as (
    select note, source_field,
           unnest(generate_series(1, len(parts))) as clause_no,
           unnest(parts) as part,
           len(parts) as n_clauses
    from (select *, string_split(text, chr(1)) as parts from marked)
),
-- Materialised: the rule matches, the parts and the ruled-out joins all read the clauses, and
-- recomputing them per reader cost as much again as the matching itself. The rules are matched
-- here once per clause, and once per part below: text_rule_hits is a large generated
-- expression (every rule's pattern, negations and `unless`), and each place that calls it
-- costs DuckDB about 0.15 s to bind, whatever the number of rows.
clause_rows as materialized (
    select note, source_field, clause_no, n_clauses, clause, after_contrast,
           text_rule_hits(clause) as hits
    from (select note, source_field, clause_no, n_clauses,
                 starts_with(part, chr(2)) as after_contrast,
                 trim(replace(part, chr(2), '')) as clause
          from clauses)
),
matched as (
    select note, source_field, clause_no, n_clauses, clause, after_contrast,
           regexp_matches(clause, {{ decisive_cue }}) as decisive,
           regexp_matches(clause, {{ aftermath_cue }}) as aftermath,
           unnest(hits) as hit
    from clause_rows
    where clause <> '' and len(hits) > 0
),
-- The comma and colon parts of the few clauses that set a reason aside (NegEx's post-negation
-- triggers), each marked when it follows a colon.
parts as materialized (
    select note, source_field, clause_no, n_parts, part_no, seg, starts_with(seg, chr(3)) as keyed,
           replace(seg, chr(3), '') as part, text_rule_hits(replace(seg, chr(3), '')) as hits
    from (
        select note, source_field, clause_no, len(segs) as n_parts,
               unnest(generate_series(1, len(segs))) as part_no, unnest(segs) as seg
        from (
            select note, source_field, clause_no,
                   regexp_split_to_array(
                       rtrim(replace(clause, ':', ':' || chr(3)), ' ,:' || chr(3)), '[,:]') as segs
            from clause_rows
            -- (one pass for all three, each wrapped so that an inline flag of one cannot reach
            -- another; with its parts on lines of their own, the clause matches whenever one of
            -- its parts does: the dismissals are anchored at their part's start and end)
            where regexp_matches(replace(replace(clause, ':', chr(10) || chr(3)), ',', chr(10)),
                                 '(?m)(?:' || {{ ruled_out }} || ')|(?:' || {{ dismissal }}
                                 || ')|(?:' || {{ dismissal_item }} || ')')
        )
    )
),
-- scope: what a part that names no reason sets aside (as in reason_note_tokens): 1, what came
-- before it; 2, only the item before it (a bare verdict, or a dismissal after a colon that does
-- not cover several things)
triggers as materialized (
    select *, scope > 0 and len(hits) = 0 as bare
    from (
        select *,
               case when regexp_matches(seg, {{ dismissal }})
                        then case when keyed and not regexp_matches(seg, {{ dismissal_all }})
                                  then 2 else 1 end
                    when regexp_matches(seg, {{ dismissal_item }}) then 2
                    else 0
               end as scope
        from parts
    )
    where scope > 0 or regexp_matches(part, {{ ruled_out }})
),
ruled_out as (
    -- a part that names a reason and rules it out ("the other candidate's degree is not why",
    -- "neither reloc nor comp was a blocker")
    select note, source_field, clause_no, ltrim(unnest(hits), '!') as rule_id
    from triggers
    where not bare
    union
    -- ... and the short list items that follow it ("not related to pay, screening or her goals")
    select t.note, t.source_field, t.clause_no, ltrim(unnest(p.hits), '!')
    from triggers t
    join parts p on p.note = t.note and p.source_field = t.source_field
        and p.clause_no = t.clause_no and p.part_no > t.part_no
    where not t.bare
        and regexp_matches(t.part, '\bnot\b|n''t\b|\bneither\b|\bnor\b|\bnothing\b')
        and regexp_full_match(p.part, {{ list_item }})
        and not regexp_matches(p.part, {{ list_subject }})
    union
    -- a part that only sets aside what came before it ("none of it was a blocker") rules out
    -- the parts before it in its clause (before the clause's last such part: one join row per
    -- part, however many dismissals a pasted list holds) ...
    select t.note, t.source_field, t.clause_no, ltrim(unnest(p.hits), '!')
    from (
        select note, source_field, clause_no, max(part_no) as reach
        from triggers
        where bare and scope = 1
        group by all
    ) t
    join parts p on p.note = t.note and p.source_field = t.source_field
        and p.clause_no = t.clause_no and p.part_no < t.reach
    union
    -- ... a verdict on one item ("location: fine") that item ...
    select t.note, t.source_field, t.clause_no, ltrim(unnest(p.hits), '!')
    from triggers t
    join parts p on p.note = t.note and p.source_field = t.source_field
        and p.clause_no = t.clause_no and p.part_no = t.part_no - 1
    where t.bare and t.scope = 2
    union
    -- ... or, when it opens its clause ("other finalist was strong (not the reason)"), the
    -- clause before; a verdict only when it is its clause ("Not an issue."), not as an
    -- interjection ("Fine, we withdrew the offer")
    select t.note, t.source_field, c.clause_no, ltrim(unnest(c.hits), '!')
    from triggers t
    join clause_rows c on c.note = t.note and c.source_field = t.source_field
        and c.clause_no = t.clause_no - 1
    where t.bare and t.part_no = 1 and (t.scope = 1 or t.n_parts = 1)
),
-- A hypothetical clause names the blocker even through a negation or its `unless` ("had the
-- check come back clean we would have hired"; "if they hadn't cancelled the req").
evidence as (
    select m.note, m.source_field, m.clause_no, m.n_clauses, ltrim(m.hit, '!') as rule_id,
           -- (a case: only a cancelled match needs the clause's words read)
           case when starts_with(m.hit, '!')
                then not list_has_any(regexp_extract_all(m.clause, '[a-z0-9]+(?:''[a-z]+)?'),
                                      {{ hypothetical_words }})
                else false
           end or r.rule_id is not null as negated,
           r.rule_id is not null as ruled_out,
           m.after_contrast, m.decisive, m.aftermath,
           left(m.clause, 120) as snippet
    from matched m
    left join ruled_out r on r.note = m.note and r.source_field = m.source_field
        and r.clause_no = m.clause_no and r.rule_id = ltrim(m.hit, '!')
)
select note as application_id, * exclude (note)
from evidence
where source_field = 'recruiter_note'
union all
-- each ATS value's evidence, once for every rejection that carries it
select a.application_id, e.* exclude (note)
from evidence e
join reason_notes a on a.source_field = e.source_field and a.text = e.note
where e.source_field = 'ats_rejection_reason';
