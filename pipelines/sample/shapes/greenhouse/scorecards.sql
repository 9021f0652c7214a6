-- Greenhouse scorecards (GET /v1/scorecards) from the contract's interviews: one per row (a
-- contract row is one interviewer's vote), the interview of the row's round, an interviewer
-- from the job's pool (none twice in one round), the recommendation in Greenhouse's five values.
select
    row_number() over () as id,
    i.application_id,
    a.candidate_id,
    'Interview round ' || i."round" as interview,
    {'id': a.job_id || '-i' || i."round", 'name': 'Interview round ' || i."round"} as interview_step,
    -- a pool of interviewers per job; distinct within an application's round
    {'id': 'u' || (hash(a.job_id) % 100) || '-' || i."round" || '-'
                || row_number() over (partition by i.application_id, i."round"),
     'first_name': 'Ivan', 'last_name': 'Interviewer', 'name': 'Ivan Interviewer'} as interviewer,
    strftime(coalesce(i.interviewed_at, a.applied_at)::date, '%Y-%m-%dT15:00:00.000Z')
        as interviewed_at,
    case i.recommendation when 'strong_no' then 'definitely_not' else i.recommendation end
        as overall_recommendation
from c_interviews i
join c_applications a using (application_id)
