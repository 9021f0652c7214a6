-- Lever postings (GET /postings) from the contract's jobs: text = title, categories.department =
-- job family, categories.location = region, categories.level = seniority (Lever's own level,
-- free text: "Senior", "Entry", ...), createdAt = opened_at in epoch milliseconds. Lever's
-- categories are a fixed set (team, department, location, commitment, level, allLocations) and a
-- posting has no custom fields: the contract's advancement outlook and employer have no home in
-- Lever (FIELDS.md: "Cannot be mapped: advancement outlook") and are not written.
select
    job_id as id,
    'Role ' || job_id as text,
    epoch_ms(opened_at::date + to_seconds(32400)) as createdAt,
    epoch_ms(opened_at::date + to_seconds(32400)) as updatedAt,
    md5('lever-user:hiring-manager-' || job_id)::uuid as user,
    md5('lever-user:hiring-manager-' || job_id)::uuid as owner,
    md5('lever-user:hiring-manager-' || job_id)::uuid as hiringManager,
    'non-confidential' as confidentiality,
    {'team': job_family, 'department': job_family, 'location': region,
     'allLocations': list_filter([region], lambda r: r is not null),
     'commitment': 'Full-time',
     'level': case seniority when 'entry' then 'Entry' when 'mid' then 'Mid' when 'senior' then 'Senior'
                             when 'lead' then 'Lead' when 'executive' then 'Executive' end}
        as categories,
    {'description': '', 'descriptionHtml': '', 'lists': []::varchar[], 'closing': '',
     'closingHtml': ''} as content,
    'US' as country,
    []::varchar[] as tags,
    'published' as state,
    ['internal', 'public'] as distributionChannels,
    {'list': 'https://jobs.lever.co/example',
     'show': 'https://jobs.lever.co/example/' || job_id,
     'apply': 'https://jobs.lever.co/example/' || job_id || '/apply'} as urls,
    'onsite' as workplaceType
from c_jobs
order by job_id
