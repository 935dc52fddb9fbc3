-- Diagrams 13-15: project cases by whether the household was known to the social service (yes),
-- not known (no, handled by the project) or handled jointly (joint), with their outcomes.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

involvement as (

    select label as known_to_social_service
    from {{ ref('code_lists') }}
    where code_list = 'known_to_social_service'

),

counted as (

    select
        involvement.known_to_social_service,
        count(cases.case_id) as cases,
        count(case when cases.outcome = 'resolved' then 1 end) as resolved_cases,
        count(case when cases.outcome = 'evicted' then 1 end) as evictions
    from involvement
    left join cases
        on involvement.known_to_social_service = cases.known_to_social_service
    group by involvement.known_to_social_service

),

final as (

    select
        known_to_social_service,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct,
        cast(resolved_cases as bigint) as resolved_cases,
        cast(100.0 * resolved_cases / nullif(cases, 0) as double) as resolved_pct,
        cast(evictions as bigint) as evictions,
        cast(100.0 * evictions / nullif(cases, 0) as double) as eviction_share_pct
    from counted

)

select * from final
order by cases desc, known_to_social_service
