-- Ashby jobs (job.list results) from the contract's jobs: title, departmentId (the job family, in
-- departments.json), locationId (the region, in locations.json), openedAt = opened_at (ISO 8601,
-- as Ashby writes it). Ashby has no native seniority, advancement outlook or employer: they are
-- the organisation's job custom fields (customFields[] of {id, title, value}), titled as
-- ashby.toml [custom_fields] looks for them ("Seniority", "Advancement outlook", "Employer").
-- Plus a hiring team and author (names, e-mails: personal data the adapter must never read).
select
    job_id as id,
    'Role ' || job_id as title,
    false as confidential,
    'Open' as status,
    'FullTime' as employmentType,
    md5('ashby-location:' || region)::uuid as locationId,
    md5('ashby-department:' || job_family)::uuid as departmentId,
    md5('ashby-interview-plan')::uuid as defaultInterviewPlanId,
    [md5('ashby-interview-plan')::uuid] as interviewPlanIds,
    [{'id': md5('ashby-field:seniority')::uuid, 'isPrivate': false, 'title': 'Seniority',
      'value': seniority},
     {'id': md5('ashby-field:advancement-outlook')::uuid, 'isPrivate': false,
      'title': 'Advancement outlook', 'value': advancement_outlook},
     {'id': md5('ashby-field:employer')::uuid, 'isPrivate': false, 'title': 'Employer',
      'value': employer_id}] as customFields,
    [md5('ashby-posting:' || job_id)::uuid] as jobPostingIds,
    'REQ-' || job_id as customRequisitionId,
    NULL::varchar as brandId,
    [{'email': 'hana.manager@hire.example.com', 'firstName': 'Hana', 'lastName': 'Manager',
      'role': 'Hiring Manager', 'userId': md5('ashby-user:hiring-manager-' || job_id)::uuid}]
        as hiringTeam,
    {'id': md5('ashby-user:hiring-manager-' || job_id)::uuid, 'firstName': 'Hana',
     'lastName': 'Manager', 'email': 'hana.manager@hire.example.com',
     'globalRole': 'Elevated Access', 'isEnabled': true} as author,
    strftime(opened_at::date - 2, '%Y-%m-%dT09:00:00.000Z') as createdAt,
    strftime(opened_at::date, '%Y-%m-%dT09:00:00.000Z') as updatedAt,
    strftime(opened_at::date, '%Y-%m-%dT09:00:00.000Z') as openedAt,
    NULL::varchar as closedAt
from c_jobs
order by job_id
