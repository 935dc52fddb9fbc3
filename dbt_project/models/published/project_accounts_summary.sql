-- Chapter 6 of the report: the project's total income and expenses and the balance.

with

lines as (

    select * from {{ ref('project_expenses') }}

),

final as (

    select
        cast(coalesce(sum(case when kind = 'income' then amount_nok end), 0) as decimal(14, 2)) as total_income_nok,
        cast(coalesce(sum(case when kind = 'expense' then amount_nok end), 0) as decimal(14, 2)) as total_expenses_nok,
        cast(
            coalesce(sum(case when kind = 'income' then amount_nok end), 0)
            - coalesce(sum(case when kind = 'expense' then amount_nok end), 0)
            as decimal(14, 2)
        ) as balance_nok
    from lines

)

select * from final
