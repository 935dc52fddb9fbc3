-- Diagram 3: project cases by household type - with or without children in the household.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

household_types as (

    select * from (values ('without_children', 1), ('with_children', 2)) as spine (household_type, sort_order)  -- noqa: AL05

),

counted as (

    {{ count_per_category(
        categories='household_types',
        category_columns=['household_types.household_type', 'household_types.sort_order'],
        rows='cases',
        joined_on="household_types.household_type
            = case when cases.children_count > 0 then 'with_children' else 'without_children' end",
        counts={'cases': 'cases.case_id is not null'}
    ) }}

),

final as (

    select
        household_type,
        cases,
        {{ share_of_total('cases') }} as share_pct
    from counted

)

select * from final
order by household_type desc
