-- Lever stages (GET /stages): {id, text} of each pipeline stage the opportunities move through
-- (l_stage in _views.sql: Lever's default stage names, one per contract stage).
select id, text from l_stage order by n
