-- Lever panels (GET /opportunities/:id/panels): one per application and interview round
-- (l_interview in _views.sql), start in epoch milliseconds, one interview listing the round's
-- interviewers by name and e-mail (personal data the adapter must never read: it reads a
-- panel's id and start only).
select
    panel_id as id,
    [any_value(md5('lever-application:' || application_id)::uuid)] as applications,
    NULL::bigint as canceledAt,
    min(start_ms) - 86400000 as createdAt,
    min(start_ms) as start,
    min(start_ms) + 3600000 as "end",
    'UTC' as timezone,
    'once' as feedbackReminder,
    any_value(md5('lever-user:recruiter-' || (hash(job_id) % 20))::uuid) as user,
    'Interview round ' || any_value("round") as note,
    false as externallyManaged,
    [{'id': any_value(interview_id),
      'subject': 'Interview round ' || any_value("round") || ' - Cand'
                 || coalesce(right(any_value(candidate_id), 4), ''),
      'date': min(start_ms),
      'duration': 60,
      'timezone': 'UTC',
      'interviewers': list({'id': interviewer, 'name': 'Ivan Interviewer',
                            'email': 'ivan.interviewer@hire.example.com'}),
      'feedbackTemplate': md5('lever-template:interview-feedback')::uuid}] as interviews
from l_interview
group by panel_id
order by any_value(application_id), any_value("round")
