-- Diagrams 6 and 7: project cases by main income source, among all cases and among the cases
-- resolved before eviction. Every income source of the code list has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

income_sources as (

    select label as income_source
    from {{ ref('code_lists') }}
    where code_list = 'income_source'

),

counted as (

    select
        income_sources.income_source,
        count(cases.case_id) as cases,
        count(case when cases.outcome = 'resolved' then 1 end) as resolved_cases
    from income_sources
    left join cases
        on income_sources.income_source = cases.income_source
    group by income_sources.income_source

),

final as (

    select
        income_source,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct,
        cast(resolved_cases as bigint) as resolved_cases,
        cast(100.0 * resolved_cases / nullif(sum(resolved_cases) over (), 0) as double) as resolved_share_pct
    from counted

)

select * from final
order by cases desc, income_source
