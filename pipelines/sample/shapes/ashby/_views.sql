-- Ashby export views, shared by this folder's files (run before them; not an export file):
-- a_stage, the interview plan's stages, and a_application, each contract application with its
-- Ashby times, stage path and archive reason. Mapping choices:
--   * stages: one interview plan for every job, a stage per contract stage, titled so that
--     ashby.toml's stage patterns map them back (Application Review -> applied, Recruiter Screen
--     -> screen, Technical Interview -> interview, Onsite -> final_interview, Offer, Background
--     Check), plus the Hired and Archived stages (types Hired, Archived, as the fixtures' stages);
--   * history: an application entered each stage up to stage_reached (a hire: up to Offer, then
--     Hired on decided_at), the entries spread from applied_at (08:00 UTC) to the decision, then
--     the Archived stage at archivedAt (decided_at, at a time of day of its own, 08:00-18:00 UTC);
--   * archive reason: the contract's ATS reason as its text, reasonType RejectedByOrg for a
--     rejection (Other for a requisition closed, filled or frozen, or "Other"), RejectedByCandidate
--     for a withdrawal or a declined offer (the adapter tells them apart by the stage). A
--     rejection without an ATS reason has no archiveReason (the adapter: no reason -> rejected);
--     a candidate's decision without one gets "Withdrew" / "Offer declined" (its type carries
--     the outcome).
create or replace temp view a_stage as
select stage, title, type, "order", md5('ashby-stage:' || stage)::uuid as id
from (values ('applied', 'Application Review', 'PreInterviewScreen', 1000),
             ('screen', 'Recruiter Screen', 'Active', 1001),
             ('interview', 'Technical Interview', 'Active', 1002),
             ('final_interview', 'Onsite', 'Active', 1003),
             ('offer', 'Offer', 'Offer', 1004),
             ('background_check', 'Background Check', 'Active', 1005),
             ('hired', 'Hired', 'Hired', 1006),
             ('archived', 'Archived', 'Archived', 1007)) t(stage, title, type, "order");

create or replace temp view a_application as
with base as (
    select
        a.*,
        a.applied_at::date + to_seconds(28800) as created_ts,
        case when a.outcome <> 'pending' and a.decided_at is not null
             then a.decided_at::date + to_seconds(28800 + hash(a.application_id) % 36000)
        end as decided_ts,
        stage_path(a.stage_reached) as path,  -- (macro: pipelines/sample/vendors.py)
        case a.outcome
            when 'pending' then 'Active'
            when 'hired' then 'Hired'
            else 'Archived'
        end as status,
        case
            when a.outcome in ('withdrawn', 'offer_declined') then 'RejectedByCandidate'
            when a.outcome <> 'rejected' or nullif(trim(a.ats_rejection_reason), '') is null then NULL
            when regexp_matches(lower(a.ats_rejection_reason),
                                '^other$|position (closed|filled)|hiring freeze|requisition cancel')
                then 'Other'
            else 'RejectedByOrg'
        end as reason_type
    from c_applications a
),
reasoned as (
    select
        b.*,
        case when b.reason_type is null then NULL
             else coalesce(nullif(trim(b.ats_rejection_reason), ''),
                           case b.outcome when 'offer_declined' then 'Offer declined'
                                          else 'Withdrew' end)
        end as reason_text
    from base b
)
select
    r.*,
    md5('ashby-archive-reason:' || r.reason_type || ':' || r.reason_text)::uuid as reason_id,
    -- the stage entries: (stage, entered at), spread from createdAt to the decision (a day apart
    -- while active), then Hired or Archived at the decision
    list_transform(r.path, lambda s, i: {
        'stage': s,
        'at': case when r.decided_ts is null then r.created_ts + to_days((i - 1)::integer)
                   else r.created_ts + to_seconds((epoch(r.decided_ts) - epoch(r.created_ts))::bigint
                                                  * (i - 1) // len(r.path)) end})
    || case r.status when 'Hired' then [{'stage': 'hired', 'at': coalesce(r.decided_ts, r.created_ts)}]
                     when 'Archived' then [{'stage': 'archived',
                                            'at': coalesce(r.decided_ts, r.created_ts)}]
                     else [] end as visits,
    case r.status when 'Hired' then 'hired' when 'Archived' then 'archived'
                  else r.path[-1] end as current_stage,
    md5('ashby-user:recruiter-' || (hash(r.job_id) % 20))::uuid as recruiter
from reasoned r;

-- Each contract interview row (one interviewer's vote) with its Ashby ids: one interview event
-- per application and round, the feedback submitted on interviewed_at at 13:00 UTC plus an hour
-- per round (the rounds keep their order on one day); an interviewer from the job's pool, none
-- twice in one round.
create or replace temp view a_interview as
select
    i.*,
    a.job_id,
    a.candidate_id,
    md5('ashby-interview:' || a.job_id || ':' || i."round")::uuid as interview_id,
    md5('ashby-interview-event:' || i.application_id || ':' || i."round")::uuid as event_id,
    coalesce(i.interviewed_at, a.applied_at)::date + to_seconds(43200 + 3600 * i."round")
        as submitted_ts,
    (hash(a.job_id) % 100) || '-' || i."round" || '-'
        || row_number() over (partition by i.application_id, i."round"
                              order by i.recommendation, i.interviewed_at) as interviewer_key
from c_interviews i
join c_applications a using (application_id);
