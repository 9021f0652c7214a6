-- Lever feedback forms (GET /opportunities/:id/feedback, one JSON line per form with the
-- opportunity's id added, as the adapter reads it): one per contract interview row, on the
-- round's panel and interview (l_interview in _views.sql), submitted 2 hours after the panel's
-- start, by its interviewer. The rating is the form's score-system field in Lever's four values
-- (strong_yes "4 - Strong Hire", yes "3 - Hire", no "2 - No Hire", strong_no "1 - Strong No
-- Hire"). Lever's scale has no neutral value (FIELDS.md: an unanswered / absent form is the
-- closest to no_decision): a no_decision row gets no form. A notes field carries free text
-- about the candidate the adapter must never read.
select
    md5('lever-feedback:' || application_id || ':' || "round" || ':' || interviewer)::uuid as id,
    'interview' as type,
    'Interview round ' || "round" as text,
    'Rate the candidate.' as instructions,
    md5('lever-template:interview-feedback')::uuid as baseTemplateId,
    interviewer as user,
    panel_id as panel,
    interview_id as interview,
    start_ms + 7200000 as createdAt,
    start_ms + 7200000 as updatedAt,
    start_ms + 7200000 as completedAt,
    NULL::bigint as deletedAt,
    [{'id': md5('lever-field:rating')::uuid, 'type': 'score-system', 'text': 'Rating',
      'description': '', 'required': true,
      'value': case recommendation when 'strong_yes' then '4 - Strong Hire'
                                   when 'yes' then '3 - Hire'
                                   when 'no' then '2 - No Hire'
                                   when 'strong_no' then '1 - Strong No Hire' end,
      'prompt': 'Select one',
      'options': [{'text': '4 - Strong Hire'}, {'text': '3 - Hire'}, {'text': '2 - No Hire'},
                  {'text': '1 - Strong No Hire'}]},
     {'id': md5('lever-field:notes')::uuid, 'type': 'textarea', 'text': 'Notes / Comments',
      'description': '', 'required': false,
      'value': 'Round ' || "round" || ' with Cand' || coalesce(right(candidate_id, 4), '')
               || '; call back on +1 415 555 ' || coalesce(right(candidate_id, 4), '0000'),
      'prompt': NULL, 'options': []}] as fields,
    application_id as opportunityId
from l_interview
where recommendation <> 'no_decision'
order by application_id, "round", interviewer
