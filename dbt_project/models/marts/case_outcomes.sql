with

cases as (

    select * from {{ ref('int_project_cases_labelled') }}

),

final as (

    select
        case_id,
        person_key,
        cast(tenancy_id as integer) as tenancy_id,
        district,
        opened_date,
        closed_date,
        known_to_social_service,
        cast(children_count as integer) as children_count,
        sex,
        age_band,
        income_source,
        cast(claim_nok as decimal(12, 2)) as claim_nok,
        claim_band,
        outcome,
        solution,
        actions
    from cases

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by case_id
