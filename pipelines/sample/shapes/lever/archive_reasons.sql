-- Lever archive reasons (GET /archive_reasons): every reason an opportunity is archived with
-- (l_opportunity in _views.sql: "Hired" of type hired; the contract's ATS reason, or Lever's
-- "Withdrew" / "Offer declined" / "Not selected", of type non-hired), status active.
select distinct reason_id as id, reason_text as text, 'active' as status, reason_type as type
from l_opportunity
where reason_type is not null
order by type, text
