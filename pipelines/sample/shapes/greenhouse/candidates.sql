-- Greenhouse candidates (GET /v1/candidates): the person behind each candidate id, with the
-- names, e-mail addresses and phone numbers the adapter must never read.
select
    candidate_id as id,
    'Cand' || right(candidate_id, 4) as first_name,
    'Person' || right(candidate_id, 3) as last_name,
    list(application_id order by application_id) as application_ids,
    [{'value': lower(candidate_id) || '@mail.example.com', 'type': 'personal'}] as email_addresses,
    [{'value': '+1 415 555 ' || right(candidate_id, 4), 'type': 'mobile'}] as phone_numbers
from c_applications
where candidate_id is not null
group by candidate_id
order by candidate_id
