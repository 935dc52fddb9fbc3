-- Diagrams 2, 16 and 17: project cases per district social service, evictions among them and
-- cases where the social service paid the arrears. Every district has a row (0 when none).

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

districts as (

    select district from {{ ref('districts') }}

),

counted as (

    select
        districts.district,
        count(cases.case_id) as cases,
        count(case when cases.outcome = 'evicted' then 1 end) as evictions,
        count(case when cases.solution = 'social_service_paid' then 1 end) as social_service_paid
    from districts
    left join cases
        on districts.district = cases.district
    group by districts.district

),

final as (

    select
        district,
        cast(cases as bigint) as cases,
        cast(evictions as bigint) as evictions,
        cast(100.0 * evictions / nullif(cases, 0) as double) as eviction_share_pct,
        cast(social_service_paid as bigint) as social_service_paid,
        cast(100.0 * social_service_paid / nullif(cases, 0) as double) as social_service_paid_pct
    from counted

)

select * from final
order by district
