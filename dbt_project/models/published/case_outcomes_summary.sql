-- Diagram 8: project cases per outcome, with the share of all cases. Every outcome of the code
-- list has a row (0 when none).

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

outcomes as (

    select label as outcome
    from {{ ref('code_lists') }}
    where code_list = 'project_outcome'

),

counted as (

    select
        outcomes.outcome,
        count(cases.case_id) as cases
    from outcomes
    left join cases
        on outcomes.outcome = cases.outcome
    group by outcomes.outcome

),

final as (

    select
        outcome,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct
    from counted

)

select * from final
order by cases desc, outcome
