-- Ashby candidate notes (candidate.listNotes results, one JSON line per note with the
-- candidate's id added, as the adapter reads it): the contract's recruiter note. Ashby keeps no
-- note on the archive action (FIELDS.md: notes live on the candidate), so the note of an archived
-- application is written on its candidate a minute after the archive time (archivedAt, else
-- updatedAt, as applications.sql writes them; the adapter takes, for each note, the candidate's
-- archived application archived nearest to it within note_window_days); the notes of an active
-- or hired application are not written (the adapter attaches none to them). The content is HTML,
-- as Ashby's rich-text notes are: a paragraph, the note's text escaped, line breaks as <br>. The
-- author (name, e-mail) is personal data the adapter must never read; so is a private note the
-- hiring manager wrote on every tenth of these candidates half a minute after the archive time
-- (nearer than the recruiter's: the adapter must skip it for being private).
with archived as (
    select
        a.application_id,
        a.candidate_id,
        a.recruiter_note,
        a.recruiter,
        a.job_id,
        coalesce(a.decided_ts, a.visits[-1].at, a.created_ts) as archived_ts
    from a_application a
    where a.status = 'Archived' and a.candidate_id is not null
)
select
    md5('ashby-note:' || application_id)::uuid as id,
    candidate_id as candidateId,
    strftime(archived_ts + to_seconds(60), '%Y-%m-%dT%H:%M:%S.000Z') as createdAt,
    '<p>' || replace(replace(replace(replace(recruiter_note, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                     chr(10), '<br>') || '</p>' as content,
    {'id': recruiter, 'firstName': 'Rita', 'lastName': 'Recruiter',
     'email': 'rita.recruiter@hire.example.com'} as author,
    false as isPrivate
from archived
where nullif(trim(recruiter_note), '') is not null
union all
select
    md5('ashby-private-note:' || application_id)::uuid,
    candidate_id,
    strftime(archived_ts + to_seconds(30), '%Y-%m-%dT%H:%M:%S.000Z'),
    '<p>Spoke to Cand' || right(candidate_id, 4) || ' Person' || right(candidate_id, 3)
        || ' about pay; reach at ' || lower(candidate_id) || '@mail.example.com or +1 415 555 '
        || right(candidate_id, 4) || '.</p>',
    {'id': md5('ashby-user:hiring-manager-' || job_id)::uuid, 'firstName': 'Hana',
     'lastName': 'Manager', 'email': 'hana.manager@hire.example.com'},
    true
from archived
where hash(application_id) % 10 = 0
order by candidateId, createdAt
