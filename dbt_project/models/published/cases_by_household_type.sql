-- Diagram 3: project cases by household type - with or without children in the household.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

household_types as (

    select * from (values ('without_children', 1), ('with_children', 2)) as spine (household_type, sort_order)

),

counted as (

    select
        household_types.household_type,
        household_types.sort_order,
        count(cases.case_id) as cases
    from household_types
    left join cases
        on household_types.household_type
            = case when cases.children_count > 0 then 'with_children' else 'without_children' end
    group by household_types.household_type, household_types.sort_order

),

final as (

    select
        household_type,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct
    from counted

)

select * from final
order by household_type desc
