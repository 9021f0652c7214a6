-- Ashby applications (application.list results) from the contract's applications: status Active
-- (pending), Hired, Archived (every other outcome); currentInterviewStage the stage reached, or
-- the Hired / Archived stage; archiveReason {id, text, reasonType} and archivedAt (see
-- _views.sql); createdAt = applied_at. The contract's career goal, years of experience and
-- education level are the organisation's application custom fields (customFields[] of {id,
-- title, value}, titled as ashby.toml [custom_fields] looks for them). The stage history is
-- application_history.jsonl. Plus the personal data a real export carries and the adapter must
-- never read (the candidate's name, e-mail, phone and resume file, the hiring team, the
-- submitter's IP address and browser).
select
    a.application_id as id,
    strftime(a.created_ts, '%Y-%m-%dT%H:%M:%S.000Z') as createdAt,
    strftime(coalesce(a.decided_ts, a.visits[-1].at, a.created_ts), '%Y-%m-%dT%H:%M:%S.000Z')
        as updatedAt,
    a.status,
    [{'id': md5('ashby-field:career-goal')::uuid, 'isPrivate': false, 'title': 'Career goal',
      'value': to_json(a.career_goal)},
     {'id': md5('ashby-field:years-of-experience')::uuid, 'isPrivate': false,
      'title': 'Years of experience', 'value': to_json(a.years_experience)},
     {'id': md5('ashby-field:education-level')::uuid, 'isPrivate': false,
      'title': 'Education level', 'value': to_json(a.education)}] as customFields,
    case when a.candidate_id is not null then
        {'id': a.candidate_id,
         'name': 'Cand' || right(a.candidate_id, 4) || ' Person' || right(a.candidate_id, 3),
         'primaryEmailAddress': {'value': lower(a.candidate_id) || '@mail.example.com',
                                 'type': 'Personal', 'isPrimary': true},
         'primaryPhoneNumber': {'value': '+1 415 555 ' || right(a.candidate_id, 4),
                                'type': 'Mobile', 'isPrimary': true},
         'resumeFileHandle': {'id': md5('ashby-file:' || a.candidate_id)::uuid,
                              'name': 'resume_' || a.candidate_id || '.pdf',
                              'handle': 'https://files.example.com/resumes/' || a.candidate_id
                                        || '.pdf'}} end as candidate,
    case when s.id is not null then
        {'id': s.id, 'title': s.title, 'type': s.type, 'orderInInterviewPlan': s."order",
         'interviewStageGroupId': md5('ashby-stage-group:' || s.stage)::uuid,
         'interviewPlanId': md5('ashby-interview-plan')::uuid} end as currentInterviewStage,
    {'id': md5('ashby-source:careers-page')::uuid, 'title': 'Careers page', 'isArchived': false,
     'sourceType': {'id': md5('ashby-source-type:inbound')::uuid, 'title': 'Inbound',
                    'isArchived': false}} as source,
    case when a.reason_type is not null then
        {'id': a.reason_id, 'text': a.reason_text, 'reasonType': a.reason_type,
         'isArchived': false, 'customFields': []::varchar[]} end as archiveReason,
    case when a.status = 'Archived'
         then strftime(a.decided_ts, '%Y-%m-%dT%H:%M:%S.000Z') end as archivedAt,
    {'id': a.job_id, 'title': 'Role ' || a.job_id,
     'locationId': md5('ashby-location:' || j.region)::uuid,
     'departmentId': md5('ashby-department:' || j.job_family)::uuid} as job,
    {'id': a.recruiter, 'firstName': 'Rita', 'lastName': 'Recruiter',
     'email': 'rita.recruiter@hire.example.com', 'globalRole': 'Elevated Access',
     'isEnabled': true} as creditedToUser,
    [{'email': 'hana.manager@hire.example.com', 'firstName': 'Hana', 'lastName': 'Manager',
      'role': 'Hiring Manager', 'userId': md5('ashby-user:hiring-manager-' || a.job_id)::uuid}]
        as hiringTeam,
    md5('ashby-posting:' || a.job_id)::uuid as appliedViaJobPostingId,
    '198.51.100.' || (hash(a.application_id) % 250) as submitterClientIp,
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)' as submitterUserAgent
from a_application a
left join a_stage s on s.stage = a.current_stage
left join c_jobs j using (job_id)
order by a.application_id
