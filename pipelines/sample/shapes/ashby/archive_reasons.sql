-- Ashby archive reasons (archiveReason.list results): every reason an application is archived
-- with (a_application in _views.sql: the contract's ATS reason, or "Withdrew" / "Offer
-- declined" for a candidate's decision without one), with its reasonType.
select distinct reason_id as id, reason_text as text, reason_type as reasonType,
       false as isArchived
from a_application
where reason_type is not null
order by reasonType, text
