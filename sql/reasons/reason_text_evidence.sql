-- reason_text_evidence: every text rule that matched a clause of a cohort rejection's
-- recruiter_note or ats_rejection_reason.
-- Text is lower-cased and normalised (shorthand, misspellings: the rules file's [[normalize]]),
-- then split into clauses at sentence ends and at contrast words, because "great background,
-- but the finalist had six more years" carries its reason in the second clause.
-- The rule_matches placeholder becomes one CASE per text rule: the rule id when its pattern matches the clause,
-- no negation cue stands just before the match, and its `unless` pattern is absent.
create or replace table reason_text_evidence as
with texts as (
    select application_id, 'recruiter_note' as source_field, recruiter_note as raw_text
    from post_interview_rejections
    where nullif(trim(recruiter_note), '') is not null
    union all
    select application_id, 'ats_rejection_reason', ats_rejection_reason
    from post_interview_rejections
    where nullif(trim(ats_rejection_reason), '') is not null
),
normalised as (
    select application_id, source_field, {{ normalise }} as text
    from texts
),
clauses as (
    select application_id, source_field,
           unnest(generate_series(1, len(parts))) as clause_no,
           trim(unnest(parts)) as clause,
           len(parts) as n_clauses
    from (
        select *, regexp_split_to_array(text, '{{ clause_split }}') as parts
        from normalised
    )
),
matched as (
    select application_id, source_field, clause_no, n_clauses, clause,
           unnest(list_filter([{{ rule_matches }}], lambda r: r is not null)) as rule_id
    from clauses
    where clause <> ''
)
select application_id, source_field, clause_no, n_clauses, rule_id,
       left(clause, 120) as snippet
from matched;
