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

    {{ count_per_category(
        categories='districts', category_columns=['districts.district'],
        rows='cases', joined_on='districts.district = cases.district',
        counts={
            'cases': 'cases.case_id is not null',
            'evictions': "cases.outcome = 'evicted'",
            'social_service_paid': "cases.solution = 'social_service_paid'",
        }
    ) }}

),

final as (

    select
        district,
        cases,
        evictions,
        {{ percentage_of('evictions', 'cases') }} as eviction_share_pct,
        social_service_paid,
        {{ percentage_of('social_service_paid', 'cases') }} as social_service_paid_pct
    from counted

)

select * from final
order by district
