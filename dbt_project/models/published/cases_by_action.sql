-- Diagram 10: what the project did - project cases in which each action was taken (a case can
-- have several actions, so the counts add up to more than the cases). Every action of the code
-- list has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

actions as (

    select label as action
    from {{ ref('code_lists') }}
    where code_list = 'action'

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

    select
        actions.action,
        count(case_actions.case_id) as cases
    from actions
    left join case_actions
        on actions.action = case_actions.action
    group by actions.action

),

final as (

    select
        counted.action,
        cast(counted.cases as bigint) as cases,
        cast(100.0 * counted.cases / nullif(total.all_cases, 0) as double) as share_of_cases_pct
    from counted
    cross join total

)

select * from final
order by cases desc, action
