-- Diagram 10: what the project did - project cases in which each action was taken (a case can
-- have several actions, so the counts add up to more than the cases). Every action of the code
-- list has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

actions as (

    select label as action from ({{ code_labels('action') }})

),

case_actions as (

    select distinct
        case_id,
        unnest(actions) as action
    from cases

),

total as (

    select count(*) as all_cases from cases

),

counted as (

    {{ count_per_category(
        categories='actions', category_columns=['actions.action'],
        rows='case_actions', joined_on='actions.action = case_actions.action',
        counts={'cases': 'case_actions.case_id is not null'}
    ) }}

),

final as (

    select
        counted.action,
        counted.cases,
        {{ percentage_of('counted.cases', 'total.all_cases') }} as share_of_cases_pct
    from counted
    cross join total

)

select * from final
order by cases desc, action
