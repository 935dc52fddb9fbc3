-- One row per account line of the latest accounts delivery, classified by the chart of accounts.

with

account_lines as (

    select * from {{ ref('int_account_lines_filtered_to_latest') }}

),

chart as (

    select * from {{ ref('chart_of_accounts') }}

),

final as (

    select
        account_lines.account,
        coalesce(account_lines.account_text, chart.account_text) as account_text,
        chart.kind,
        chart.category,
        cast(account_lines.amount_nok as decimal(12, 2)) as amount_nok,
        account_lines.delivery_date as snapshot_date
    from account_lines
    left join chart
        on account_lines.account = chart.account

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by account
