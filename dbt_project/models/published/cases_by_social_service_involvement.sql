-- Diagrams 13-15: project cases by whether the household was known to the social service (yes),
-- not known (no, handled by the project) or handled jointly (joint), with their outcomes.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

involvement as (

    select label as known_to_social_service from ({{ code_labels('known_to_social_service') }})

),

counted as (

    {{ count_per_category(
        categories='involvement', category_columns=['involvement.known_to_social_service'],
        rows='cases', joined_on='involvement.known_to_social_service = cases.known_to_social_service',
        counts={
            'cases': 'cases.case_id is not null',
            'resolved_cases': "cases.outcome = 'resolved'",
            'evictions': "cases.outcome = 'evicted'",
        }
    ) }}

),

final as (

    select
        known_to_social_service,
        cases,
        {{ share_of_total('cases') }} as share_pct,
        resolved_cases,
        {{ percentage_of('resolved_cases', 'cases') }} as resolved_pct,
        evictions,
        {{ percentage_of('evictions', 'cases') }} as eviction_share_pct
    from counted

)

select * from final
order by cases desc, known_to_social_service
