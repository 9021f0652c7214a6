-- Greenhouse offers (GET /v1/offers): a rejected offer for each offer_declined application, an
-- accepted one (resolved on the decision date) for each hire.
select
    row_number() over () as id,
    application_id,
    job_id,
    case outcome when 'hired' then 'accepted' else 'rejected' end as status,
    strftime(decided_at::date, '%Y-%m-%dT12:00:00.000Z') as resolved_at
from c_applications
where outcome in ('hired', 'offer_declined') and decided_at is not null
