-- The project's cases (latest prosjekt snapshot) with English labels from the code_lists seed
-- (known_to_social_service, income_source, project_outcome, solution, action) and the claim band.
-- actions keeps the delivered order of tiltak; a case without recorded actions has an empty list.

with

cases as (

    select * from {{ ref('int_project_cases_filtered_to_latest') }}

),

known_to_social_service as (

    {{ code_labels('known_to_social_service') }}

),

income_sources as (

    {{ code_labels('income_source') }}

),

outcomes as (

    {{ code_labels('project_outcome') }}

),

solutions as (

    {{ code_labels('solution') }}

),

action_labels as (

    {{ code_label_map('action') }}

),

final as (

    select
        cases.case_id,
        cases.person_key,
        cases.tenancy_id,
        cases.district,
        cases.opened_date,
        cases.closed_date,
        known_to_social_service.label as known_to_social_service,
        cases.children_count,
        cases.sex,
        cases.age_band,
        income_sources.label as income_source,
        cases.claim_nok,
        {{ claim_band('cases.claim_nok') }} as claim_band,
        outcomes.label as outcome,
        solutions.label as solution,
        cast(
            list_transform(coalesce(cases.action_codes, []::varchar[]), lambda code: action_labels.labels[code])
            as varchar[]
        ) as actions,
        cases.delivery_date as snapshot_date
    from cases
    cross join action_labels
    left join known_to_social_service
        on cases.known_to_social_service_code = known_to_social_service.code
    left join income_sources
        on cases.income_source_code = income_sources.code
    left join outcomes
        on cases.outcome_code = outcomes.code
    left join solutions
        on cases.solution_code = solutions.code

)

select * from final
