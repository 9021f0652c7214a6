-- reason_structured_evidence: what the records (not the notes) say about each cohort rejection.
-- One row per rule that fired; thresholds come from the rules file.
-- At most one row per application and reason: each reason has one rule here, except
-- goal_mismatch, whose two rules exclude each other (one career goal per application).
-- reason_assignments relies on it (a reason's row is its evidence, unranked); a new rule for a
-- reason that already has one must keep it so (tests/test_reasons.py checks it on the sample).
create or replace table reason_structured_evidence as

-- Background check: an adverse report acted on, with the rejection at the offer or check stage.
select
    c.application_id,
    'bg_adverse_action' as rule_id,
    'background_check' as reason,
    b.report_detail as detail,
    'background_checks' as source_field,
    concat_ws(', ', 'vendor ' || b.vendor_id, 'result ' || b.result, 'finding ' || b.finding,
              'adjudication ' || b.adjudication, 'dispute ' || b.dispute_outcome) as value_or_snippet
from post_interview_rejections c
join background_check_status b using (application_id)
where b.result in {{ background_results }}
  and b.adjudication in {{ background_adjudications }}
  and c.stage_reached in {{ background_stages }}

union all

-- Competition: another application for the same job was hired and was stronger.
select application_id, 'competition_stronger_hire', 'competition',
       case when experience_gap >= {{ min_experience_gap }} then 'experience_gap'
            else 'education_gap' end,
       'applications (the hire for the same job)',
       'hire had ' || round(experience_gap, 1) || ' more years; education '
           || coalesce(hire_education, '?') || ' vs ' || coalesce(education, '?')
from (
    select c.application_id, c.education, h.education as hire_education,
           h.years_experience - c.years_experience as experience_gap,
           list_position({{ education_levels }}, h.education)
               - list_position({{ education_levels }}, c.education) as education_gap
    from post_interview_rejections c
    join job_hires h on h.job_id = c.job_id and h.application_id <> c.application_id
    qualify row_number() over (partition by c.application_id
                               order by h.years_experience - c.years_experience desc nulls last,
                                        h.application_id) = 1
)
where experience_gap >= {{ min_experience_gap }}
   or ({{ education_counts }} and education_gap > 0)

union all

-- Goal mismatch, either way: ambition for a role with limited progression, or a wish to stay put
-- in a role built to grow people upward.
select application_id, 'goal_ambitious_limited_role', 'goal_mismatch',
       'ambitious_for_limited_role', 'applications.career_goal, jobs.advancement_outlook',
       'career_goal rapid_advancement, advancement_outlook limited'
from post_interview_rejections
where career_goal = 'rapid_advancement' and advancement_outlook = 'limited'

union all

select application_id, 'goal_settled_growth_role', 'goal_mismatch',
       'settled_for_growth_role', 'applications.career_goal, jobs.advancement_outlook',
       'career_goal stay_in_role, advancement_outlook strong'
from post_interview_rejections
where career_goal = 'stay_in_role' and advancement_outlook = 'strong';
