-- Greenhouse jobs (GET /v1/jobs) from the contract's jobs: department = job family, office =
-- region, seniority / advancement outlook / employer as keyed custom fields (the names the
-- adapter's greenhouse.toml looks for), plus a hiring team (names: personal data the adapter
-- must never read).
select
    job_id as id,
    'Role ' || job_id as name,
    'open' as status,
    strftime(opened_at::date, '%Y-%m-%dT09:00:00Z') as opened_at,
    [{'id': 1, 'name': job_family}] as departments,
    [{'id': 1, 'name': region}] as offices,
    {'seniority': {'name': 'Seniority', 'type': 'single_select', 'value': seniority},
     'advancement_outlook': {'name': 'Advancement outlook', 'type': 'single_select',
                             'value': advancement_outlook},
     'employer_id': {'name': 'Employer', 'type': 'short_text', 'value': employer_id}}
        as keyed_custom_fields,
    {'hiring_managers': [{'id': 77, 'first_name': 'Hana', 'last_name': 'Manager',
                          'name': 'Hana Manager'}]} as hiring_team
from c_jobs
order by job_id
