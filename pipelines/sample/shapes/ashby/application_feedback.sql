-- Ashby interview feedback (applicationFeedback.list results): one submitted form per contract
-- interview row, on the round's interview event (a_interview in _views.sql: one event per
-- application and round), submittedAt on interviewed_at. The organisation's feedback form has
-- the overall recommendation field of the spec's example (path overall_recommendation) with five
-- values, as ashby.toml [codes.recommendation] reads them: strong_hire, hire, no_decision,
-- no_hire, strong_no_hire (Ashby's forms are per organisation; FIELDS.md). A free-text field
-- about the candidate, the form's definition and the submitter (name, e-mail) are personal data
-- the adapter must never read.
select
    md5('ashby-feedback:' || application_id || ':' || "round" || ':' || interviewer_key)::uuid
        as id,
    application_id as applicationId,
    md5('ashby-form:interview-feedback')::uuid as feedbackFormDefinitionId,
    interview_id as interviewId,
    event_id as interviewEventId,
    strftime(submitted_ts, '%Y-%m-%dT%H:%M:%S.000Z') as submittedAt,
    {'id': md5('ashby-user:interviewer-' || interviewer_key)::uuid, 'firstName': 'Ivan',
     'lastName': 'Interviewer', 'email': 'ivan.interviewer@hire.example.com',
     'globalRole': 'Interviewer', 'isEnabled': true} as submittedByUser,
    {'sections': [{'title': 'Interview feedback', 'fields': [
        {'isRequired': true,
         'field': {'id': md5('ashby-field:overall-recommendation')::uuid, 'type': 'ValueSelect',
                   'path': 'overall_recommendation', 'title': 'Overall Recommendation',
                   'humanReadablePath': 'Overall Recommendation', 'isNullable': false,
                   'selectableValues': [{'label': 'Strong Hire', 'value': 'strong_hire'},
                                        {'label': 'Hire', 'value': 'hire'},
                                        {'label': 'No Decision', 'value': 'no_decision'},
                                        {'label': 'No Hire', 'value': 'no_hire'},
                                        {'label': 'Strong No Hire', 'value': 'strong_no_hire'}]}},
        {'isRequired': false,
         'field': {'id': md5('ashby-field:detailed-feedback')::uuid, 'type': 'RichText',
                   'path': 'detailed_feedback', 'title': 'Detailed Feedback',
                   'humanReadablePath': 'Detailed Feedback', 'isNullable': true,
                   'selectableValues': NULL}}]}]} as formDefinition,
    {'overall_recommendation': case recommendation when 'strong_yes' then 'strong_hire'
                                                   when 'yes' then 'hire'
                                                   when 'no_decision' then 'no_decision'
                                                   when 'no' then 'no_hire'
                                                   when 'strong_no' then 'strong_no_hire' end,
     'detailed_feedback': 'Round ' || "round" || ' with Cand' || coalesce(right(candidate_id, 4), '')
                          || '; call back on +1 415 555 ' || coalesce(right(candidate_id, 4), '0000')}
        as submittedValues
from a_interview
order by application_id, "round", interviewer_key
