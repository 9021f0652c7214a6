-- Lever applications (GET /opportunities/:id/applications, opportunityId as Lever writes it): one
-- per opportunity, on the job's posting, created at applied_at, archived as its opportunity.
-- Lever keeps no custom fields on an opportunity: the application form's customQuestions hold
-- the contract's career goal, years of experience and education level, as fields labelled with
-- the names lever.toml [custom_fields] looks for ("Career goal", "Years of experience",
-- "Education level"; values as the contract writes them, experience as text).
select
    lever_application_id as id,
    'posting' as type,
    application_id as candidateId,
    application_id as opportunityId,
    job_id as posting,
    md5('lever-user:hiring-manager-' || job_id)::uuid as postingHiringManager,
    md5('lever-user:hiring-manager-' || job_id)::uuid as postingOwner,
    NULL::varchar as name,
    NULL::varchar as company,
    NULL::varchar as phone,
    NULL::varchar as email,
    []::varchar[] as links,
    NULL::varchar as comments,
    NULL::uuid as user,
    [{'id': md5('lever-form:' || application_id)::uuid,
      'type': 'form',
      'text': 'Application questions',
      'instructions': '',
      'baseTemplateId': md5('lever-template:application-questions')::uuid,
      'fields': [
          {'description': '', 'required': false, 'text': 'Career goal', 'type': 'dropdown',
           'id': md5('lever-field:career-goal')::uuid, 'value': career_goal},
          {'description': '', 'required': false, 'text': 'Years of experience', 'type': 'text',
           'id': md5('lever-field:years-of-experience')::uuid,
           'value': years_experience::varchar},
          {'description': '', 'required': false, 'text': 'Education level', 'type': 'dropdown',
           'id': md5('lever-field:education-level')::uuid, 'value': education}],
      'user': NULL::uuid,
      'stage': NULL::uuid,
      'createdAt': applied_ms,
      'completedAt': applied_ms}] as customQuestions,
    applied_ms as createdAt,
    case when reason_type is not null
         then {'reason': reason_id, 'archivedAt': archived_ms} end as archived,
    NULL::varchar as requisitionForHire
from l_opportunity
order by application_id
