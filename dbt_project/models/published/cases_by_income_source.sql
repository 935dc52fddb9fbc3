-- Diagrams 6 and 7: project cases by main income source, among all cases and among the cases
-- resolved before eviction. Every income source of the code list has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

income_sources as (

    select label as income_source from ({{ code_labels('income_source') }})

),

counted as (

    {{ count_per_category(
        categories='income_sources', category_columns=['income_sources.income_source'],
        rows='cases', joined_on='income_sources.income_source = cases.income_source',
        counts={
            'cases': 'cases.case_id is not null',
            'resolved_cases': "cases.outcome = 'resolved'",
        }
    ) }}

),

final as (

    select
        income_source,
        cases,
        {{ share_of_total('cases') }} as share_pct,
        resolved_cases,
        {{ share_of_total('resolved_cases') }} as resolved_share_pct
    from counted

)

select * from final
order by cases desc, income_source
