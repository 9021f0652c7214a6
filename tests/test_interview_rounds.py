"""interview_rounds (one row per application and interview round) serves the cohort and the
interview reports: each of them, read from it, is exactly what grouping the interview rows gives
(the definitions below are the ones these tables had before, over the interview rows)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.contract import load_contract
from pipelines.reasons.rules import load_rules, sql_params
from pipelines.sqlgraph import pipeline_graph

# Applications with 1 to 5 rounds of 1 to 6 recommendations each, some days missing, some rounds
# whose latest interview is after the last round's, every outcome.
SYNTHETIC = """
select setseed(0.42);
create table jobs as
select 'J' || i as job_id, 'family ' || (i % 3) as job_family, 'senior' as seniority,
       'region ' || (i % 2) as region, 'limited' as advancement_outlook
from range(40) t(i);
create table applications as
select
    'A' || i as application_id, 'J' || (i % 40) as job_id, date '2025-01-01' + (i % 300)::int
        as applied_at,
    'interview' as stage_reached,
    ['rejected', 'rejected', 'hired', 'withdrawn', 'offer_declined', 'pending'][1 + i % 6]
        as outcome,
    case when i % 6 = 5 or i % 17 = 0 then null else date '2025-03-01' + (i % 200)::int end
        as decided_at,
    (i % 12)::double as years_experience, 'bachelor' as education, 'growth' as career_goal,
    null::varchar as ats_rejection_reason, 'a note' as recruiter_note
from range(3000) t(i);
create table interviews as
with rounds as (
    select application_id, r as round, 1 + floor(random() * 6)::int as panel
    from applications, range(1, 6) s(r)
    where r <= 1 + floor(random() * 5) and application_id not like '%7'
)
select
    application_id, round,
    case when random() < 0.1 then null
         else date '2025-02-01' + (round * 7 + floor(random() * 30))::int end as interviewed_at,
    ['strong_yes', 'yes', 'yes', 'no_decision', 'no', 'strong_no'][1 + floor(random() * 6)::int]
        as recommendation,
    1 + floor(random() * 5) as score
from rounds, range(panel) p(k);
"""

# The previous definitions, straight from the interview rows.
REFERENCE = {
    "post_interview_rejections": """
with last_round as (
    select application_id, max("round") as last_round from interviews group by application_id
),
last_round_votes as (
    select
        i.application_id, l.last_round,
        count(*) filter (where i.recommendation in {{ success }}) as n_success,
        count(*) filter (where i.recommendation not in {{ success }}
                           and i.recommendation not in {{ ignored }}) as n_other,
        count(*) as n_recommendations,
        avg(i.score) as mean_score
    from interviews i
    join last_round l on l.application_id = i.application_id and l.last_round = i."round"
    group by all
)
select a.application_id, a.job_id, a.stage_reached, a.applied_at, a.decided_at,
    date_trunc('month', coalesce(a.decided_at, a.applied_at)) as decision_month,
    a.years_experience, a.education, a.career_goal,
    left(a.ats_rejection_reason, {{ note_chars }}) as ats_rejection_reason,
    length(a.ats_rejection_reason) > {{ note_chars }} as ats_rejection_reason_cut,
    left(a.recruiter_note, {{ note_chars }}) as recruiter_note,
    length(a.recruiter_note) > {{ note_chars }} as recruiter_note_cut,
    j.job_family, j.seniority, j.region, j.advancement_outlook,
    v.last_round, v.n_recommendations, v.mean_score
from applications a
join last_round_votes v using (application_id)
left join jobs j using (job_id)
where a.outcome = 'rejected' and v.n_success >= 1 and v.n_other = 0
""",
    "report_interview_votes": """
with per_round as (
    select application_id, "round", count(*) as panel,
        count(*) filter (where recommendation in {{ success }}) as n_success,
        count(*) filter (where recommendation not in {{ success }}
                         and recommendation not in {{ ignored }}) as n_other,
        count(*) filter (where recommendation = 'strong_yes') as strong_yes,
        count(*) filter (where recommendation = 'yes') as yes,
        count(*) filter (where recommendation = 'no_decision') as no_decision,
        count(*) filter (where recommendation = 'no') as no,
        count(*) filter (where recommendation = 'strong_no') as strong_no
    from interviews
    group by all
),
per_panel as (
    select least("round", 3)::varchar as round,
        case when panel >= 4 then '4+' else panel::varchar end as panel,
        sum(strong_yes) as strong_yes, sum(yes) as yes, sum(no_decision) as no_decision,
        sum(no) as no, sum(strong_no) as strong_no
    from per_round
    group by all
),
votes as (
    unpivot per_panel on strong_yes, yes, no_decision, no, strong_no into name value value n
),
last_round as (
    select application_id, "round", n_success, n_other
    from per_round
    qualify row_number() over (partition by application_id order by "round" desc) = 1
)
select 'vote' as kind, round, panel, value, sum(n)::bigint as n
from votes
group by all
union all
select 'unanimous yes', least(l."round", 3)::varchar, 'any', a.outcome, count(*)
from last_round l
join applications a using (application_id)
where l.n_success >= 1 and l.n_other = 0
group by all
""",
    "report_decision_time": """
with last_interview as (
    select application_id, max(interviewed_at) as last_interview
    from interviews
    group by application_id
)
select
    case
        when a.outcome = 'rejected' and c.application_id is not null
            then 'rejected after a successful interview'
        when a.outcome = 'rejected' then 'other rejection'
        else a.outcome
    end as decision,
    case
        when a.decided_at < l.last_interview then 'decided before the last interview'
        when date_diff('day', l.last_interview, a.decided_at) < 7 then 'under 1 week'
        when date_diff('day', l.last_interview, a.decided_at) < 14 then '1–2 weeks'
        when date_diff('day', l.last_interview, a.decided_at) < 28 then '2–4 weeks'
        when date_diff('day', l.last_interview, a.decided_at) < 56 then '4–8 weeks'
        else '8 weeks or more'
    end as band,
    count(*) as n
from applications a
join last_interview l using (application_id)
left join post_interview_rejections c using (application_id)
where a.decided_at is not null and l.last_interview is not null and a.outcome <> 'pending'
group by all
""",
}


@pytest.fixture(scope="module")
def built() -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    con = duckdb.connect()
    con.execute(SYNTHETIC)
    params = sql_params(load_rules(), load_contract())
    graph = pipeline_graph()
    graph.run_step(con, "reasons", params, only=["interview_rounds", "post_interview_rejections"])
    graph.run_step(con, "reports", params, only=["report_interview_votes", "report_decision_time"])
    return con, params


def _fill(sql: str, params: dict[str, str]) -> str:
    for key, value in params.items():
        sql = sql.replace("{{ " + key + " }}", value)
    return sql


@pytest.mark.parametrize("table", sorted(REFERENCE))
def test_table_from_interview_rounds_equals_grouping_the_interview_rows(built, table):
    con, params = built
    reference = _fill(REFERENCE[table], params)
    for left, right in ((table, f"({reference})"), (f"({reference})", table)):
        extra = con.execute(
            f"select count(*) from (select * from {left} except all select * from {right})"
        ).fetchall()[0][0]
        assert extra == 0, f"{table}: {extra} rows differ from the interview rows' definition"
    ref_types = [r[1] for r in con.execute(f"describe {reference}").fetchall()]
    assert [r[1] for r in con.execute(f"describe {table}").fetchall()] == ref_types
    assert con.execute(f"select count(*) from {table}").fetchall()[0][0] > 0


def test_one_last_round_per_interviewed_application(built):
    con, _ = built
    (bad,) = con.execute(
        """
        select count(*) from (
            select application_id, count(*) filter (where is_last_round) as last_rounds,
                   max("round") filter (where is_last_round) = max("round") as is_max
            from interview_rounds group by application_id
        ) where last_rounds <> 1 or not is_max
        """
    ).fetchall()[0]
    assert bad == 0
    interviewed = con.execute("select count(distinct application_id) from interviews").fetchall()
    assert con.execute("select count(*) from interview_rounds where is_last_round").fetchall() == (
        interviewed
    )
