-- Greenhouse activity feed, one JSON line per candidate (GET /v1/candidates/{id}/activity_feed
-- with the candidate's id added): the note of each rejection, as Greenhouse stores it
-- ("Candidate Rejected", body "Reason: <reason>\n\n<note>"), and an e-mail to the candidate
-- (personal data the adapter must never read).
select
    candidate_id,
    list({'id': application_id,
          'created_at': strftime(decided_at::date + to_seconds(28805 + hash(application_id) % 36000),
                                 '%Y-%m-%dT%H:%M:%SZ'),
          'subject': 'Candidate Rejected',
          'body': 'Reason: ' || coalesce(nullif(ats_rejection_reason, ''), 'None') || chr(10)
                  || chr(10) || recruiter_note}) as activities,
    [{'subject': 'Regarding your application', 'to': lower(candidate_id) || '@mail.example.com'}]
        as emails
from c_applications
where outcome in ('rejected', 'withdrawn', 'offer_declined')
  and nullif(recruiter_note, '') is not null and candidate_id is not null
group by candidate_id
