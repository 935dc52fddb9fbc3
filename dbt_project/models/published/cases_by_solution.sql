-- Diagram 9: project cases by how they were resolved. Every solution of the code list has a row;
-- cases without a recorded solution are counted as not_recorded.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

solutions as (

    select label as solution
    from {{ ref('code_lists') }}
    where code_list = 'solution'
    union all
    select 'not_recorded' as solution

),

counted as (

    select
        solutions.solution,
        count(cases.case_id) as cases
    from solutions
    left join cases
        on solutions.solution = coalesce(cases.solution, 'not_recorded')
    group by solutions.solution

),

final as (

    select
        solution,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct
    from counted

)

select * from final
order by cases desc, solution
