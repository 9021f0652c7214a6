-- reason_note_tokens: the distinct words and word pairs of each cohort recruiter note, after the
-- rules file's normalisation (reason_notes). The text model is trained on exactly these tokens
-- (pipelines/text_model.py runs this file on its training notes).
create or replace table reason_note_tokens as
with notes as (
    select application_id, text from reason_notes where source_field = 'recruiter_note'
),
words as (
    select application_id, regexp_extract_all(text, '[a-z]+(?:''[a-z]+)?') as w from notes
)
select distinct application_id, token
from (
    select application_id,
           unnest(w || list_transform(generate_series(1, len(w) - 1),
                                      lambda i: w[i] || ' ' || w[i + 1])) as token
    from words
);
