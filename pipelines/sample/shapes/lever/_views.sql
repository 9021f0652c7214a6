-- Lever export views, shared by this folder's files (run before them; not an export file):
-- l_stage, Lever's pipeline stages, and l_opportunity, each contract application as a Lever
-- opportunity: its stage path, times in epoch milliseconds, archive reason. Mapping choices:
--   * stages: Lever's own default names (as in the fixtures' stages.json), which lever.toml's
--     stage patterns map back (New applicant -> applied, Recruiter Screen -> screen, Phone
--     Interview -> interview, On-Site Interview -> final_interview, Offer, Background Check);
--     an opportunity moved through each stage up to stage_reached (a hire: up to Offer), the
--     moves spread from applied_at (08:00 UTC) to the archive time;
--   * archive time: decided_at at a time of day of its own (08:00-18:00 UTC);
--   * archive reason: Lever has no "who decided" field, the adapter reads the candidate's decision
--     from the reason's text (lever.toml archive_reasons patterns, repeated here), so the text
--     follows the outcome: hired -> "Hired" (type hired); offer_declined -> the contract's ATS
--     reason when it names a declined offer, else "Offer declined"; withdrawn -> the ATS reason
--     when it names a withdrawal, else "Withdrew"; rejected -> the ATS reason, unless it is
--     empty or reads as the candidate's decision (the generated data has rejections whose ATS
--     reason is "Withdrew"; Lever cannot carry that), then Lever's neutral "Not selected".
create or replace temp view l_stage as
select stage, text, n, md5('lever-stage:' || stage)::uuid as id
from (values ('applied', 'New applicant', 1), ('screen', 'Recruiter Screen', 2),
             ('interview', 'Phone Interview', 3), ('final_interview', 'On-Site Interview', 4),
             ('offer', 'Offer', 5), ('background_check', 'Background Check', 6)) t(stage, text, n);

create or replace temp view l_opportunity as
with base as (
    select
        a.*,
        epoch_ms(a.applied_at::date + to_seconds(28800)) as applied_ms,
        case when a.outcome <> 'pending' and a.decided_at is not null
             then epoch_ms(a.decided_at::date + to_seconds(28800 + hash(a.application_id) % 36000))
        end as archived_ms,
        stage_path(a.stage_reached) as path,  -- (macro: pipelines/sample/vendors.py)
        lower(a.ats_rejection_reason) as ats,
        'offer declined|declined (the |our )?offer|rejected (the |our )?offer|counter.?offer'
            as offer_pattern,
        'withdr|accepted (another|other|a different)|declined|not interested|no longer interested'
            || '|candidate (chose|decided|declined|went)|took another' as withdrawn_pattern
    from c_applications a
),
reasoned as (
    select
        b.*,
        case b.outcome
            when 'pending' then NULL
            when 'hired' then 'Hired'
            when 'offer_declined' then
                case when regexp_matches(b.ats, b.offer_pattern) then b.ats_rejection_reason
                     else 'Offer declined' end
            when 'withdrawn' then
                case when regexp_matches(b.ats, b.withdrawn_pattern)
                      and not regexp_matches(b.ats, b.offer_pattern) then b.ats_rejection_reason
                     else 'Withdrew' end
            else
                case when nullif(trim(b.ats_rejection_reason), '') is null
                          or regexp_matches(b.ats, b.offer_pattern)
                          or regexp_matches(b.ats, b.withdrawn_pattern) then 'Not selected'
                     else b.ats_rejection_reason end
        end as reason_text,
        case when b.outcome = 'pending' then NULL
             when b.outcome = 'hired' then 'hired' else 'non-hired' end as reason_type,
        -- the recruiter who moved and archived it (a pool per job)
        md5('lever-user:recruiter-' || (hash(b.job_id) % 20))::uuid as recruiter
    from base b
)
select
    r.* exclude (ats, offer_pattern, withdrawn_pattern),
    md5('lever-archive-reason:' || r.reason_type || ':' || r.reason_text)::uuid as reason_id,
    md5('lever-stage:' || r.path[-1])::uuid as stage_id,
    -- the stage moves: spread from applied_at to the archive time (a day apart while active)
    list_transform(r.path, lambda s, i: {
        'toStageId': md5('lever-stage:' || s)::uuid,
        'toStageIndex': i - 1,
        'updatedAt': case when r.archived_ms is null then r.applied_ms + (i - 1) * 86400000
                          else r.applied_ms + (i - 1) * ((r.archived_ms - r.applied_ms) // len(r.path))
                     end,
        'userId': r.recruiter}) as stage_changes,
    md5('lever-application:' || r.application_id)::uuid as lever_application_id
from reasoned r;

-- Each contract interview row (one interviewer's vote) with its Lever ids: one panel (and one
-- interview on it) per application and round, starting on interviewed_at at 09:00 UTC plus an
-- hour per round (so the rounds keep their order on one day); an interviewer from the job's pool,
-- none twice in one round.
create or replace temp view l_interview as
select
    i.*,
    a.job_id,
    a.candidate_id,
    md5('lever-panel:' || i.application_id || ':' || i."round")::uuid as panel_id,
    md5('lever-interview:' || i.application_id || ':' || i."round")::uuid as interview_id,
    epoch_ms(coalesce(i.interviewed_at, a.applied_at)::date + to_seconds(32400 + 3600 * i."round"))
        as start_ms,
    md5('lever-user:interviewer-' || (hash(a.job_id) % 100) || '-' || i."round" || '-'
        || row_number() over (partition by i.application_id, i."round"
                              order by i.recommendation, i.interviewed_at))::uuid as interviewer
from c_interviews i
join c_applications a using (application_id);
