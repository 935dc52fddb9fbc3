-- Diagram 8: project cases per outcome, with the share of all cases. Every outcome of the code
-- list has a row (0 when none).

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

outcomes as (

    select label as outcome from ({{ code_labels('project_outcome') }})

),

counted as (

    {{ count_per_category(
        categories='outcomes', category_columns=['outcomes.outcome'],
        rows='cases', joined_on='outcomes.outcome = cases.outcome',
        counts={'cases': 'cases.case_id is not null'}
    ) }}

),

final as (

    select
        outcome,
        cases,
        {{ share_of_total('cases') }} as share_pct
    from counted

)

select * from final
order by cases desc, outcome
