-- Checkr candidates (GET /v1/candidates): custom_id is the ATS application id (what an ATS
-- integration sets), with the personal data Checkr holds and the adapter must never read.
select
    'cand-' || application_id as id,
    'candidate' as object,
    'Chk' || right(application_id, 4) as first_name,
    'Subject' || right(application_id, 3) as last_name,
    lower(application_id) || '@check.example.com' as email,
    '415555' || right(application_id, 4) as phone,
    '1990-01-' || lpad((1 + hash(application_id) % 28)::varchar, 2, '0') as dob,
    'XXX-XX-' || right(application_id, 4) as ssn,
    '94107' as zipcode,
    application_id as custom_id,
    ['rep-' || application_id] as report_ids
from c_background_checks
order by application_id
