-- Diagram 9: project cases by how they were resolved. Every solution of the code list has a row;
-- cases without a recorded solution are counted as not_recorded.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

solutions as (

    select label as solution from ({{ code_labels('solution') }})
    union all
    select 'not_recorded' as solution

),

counted as (

    {{ count_per_category(
        categories='solutions', category_columns=['solutions.solution'],
        rows='cases', joined_on="solutions.solution = coalesce(cases.solution, 'not_recorded')",
        counts={'cases': 'cases.case_id is not null'}
    ) }}

),

final as (

    select
        solution,
        cases,
        {{ share_of_total('cases') }} as share_pct
    from counted

)

select * from final
order by cases desc, solution
