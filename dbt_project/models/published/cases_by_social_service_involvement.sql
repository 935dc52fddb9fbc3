-- Diagrams 13-15: project cases by whether the household was known to the social service (yes),
-- not known (no, handled by the project) or handled jointly (joint), with their outcomes.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

involvement as (

    select label as known_to_social_service from ({{ code_labels('known_to_social_service') }})

),

final as (

    {{ case_outcomes_per_category(
        categories='involvement', category_columns=['involvement.known_to_social_service'],
        joined_on='involvement.known_to_social_service = cases.known_to_social_service'
    ) }}

)

select
    known_to_social_service, cases, share_pct, resolved_cases, resolved_pct, evictions, eviction_share_pct
from final
order by cases desc, known_to_social_service
