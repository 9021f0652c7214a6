-- reason_rule_hits: every rule that fired on a cohort rejection, with the reason it points to:
-- text rules on a clause that did not cancel them, structured rules, and the text model where it
-- reads a reason with at least the probability at which it may decide (its readings count as its hits; its reason varies by
-- note). A view, computed when read: reason_rule_counts (the rule audit's counts) and the
-- evaluation harness read it.
-- Each part lists its own rules once (text rule ids are unique and never a structured rule's or
-- 'txt_model': pipelines/reasons/rules.py checks), so the parts are appended, not merged: no
-- second de-duplication over millions of hits.
create or replace view reason_rule_hits as
select distinct e.application_id, e.rule_id, r.reason
from reason_text_evidence e join reason_rules r using (rule_id)
where not e.negated
union all
select distinct application_id, rule_id, reason from reason_structured_evidence
union all
select application_id, 'txt_model', split_part(label, ':', 1)
from reason_text_model
where probability >= {{ model_min }} and split_part(label, ':', 1) <> 'unknown' and not vetoed;
