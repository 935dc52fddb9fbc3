-- The forced-sale follow-up project's Table 1: petitions for forced sale at the bailiff per year and
-- petitioner type (cooperative, municipality, bank, other).
--   petitions:           the bailiff's forced-sale cases by year received;
--   forced_sales:        cases sold by forced sale (outcome sold), by year of the outcome;
--   lapsed_or_withdrawn: cases that lapsed (paid or settled) or were withdrawn, by year of the outcome.
-- Years run without gaps from the first to the last year with a count, every petitioner type of the
-- code list in each (0 when none). Changes are against the previous (earlier) year, per petitioner
-- type; percentages are 0-100 and unrounded. Co-operative petitions the bailiff never received are
-- not counted here (they are findings in quality/reconciliation).

with

cases as (

    select * from {{ ref('forced_sale_cases') }}
    where bailiff_case_no is not null

),

petitioner_types as (

    select
        code_lists.label as petitioner_type,
        spine.sort_order
    from {{ ref('code_lists') }} as code_lists
    inner join (
        {{ band_spine(['BORETTSLAG', 'KOMMUNE', 'BANK', 'ANNEN'], 'code') }}
    ) as spine
        on code_lists.code = spine.code
    where code_lists.code_list = 'forced_sale_petitioner_type'

),

events as (

    select petitioner_type, 'petitions' as measure, year(received_date) as year
    from cases

    union all

    select petitioner_type, 'forced_sales' as measure, year(outcome_date) as year
    from cases
    where outcome = 'sold'

    union all

    select petitioner_type, 'lapsed_or_withdrawn' as measure, year(outcome_date) as year
    from cases
    where outcome in ('lapsed', 'withdrawn')

),

years as (

    select cast(unnest(range(min(year), max(year) + 1)) as integer) as year
    from events

),

counted as (

    select
        years.year,
        petitioner_types.petitioner_type,
        petitioner_types.sort_order,
        count(case when events.measure = 'petitions' then 1 end) as petitions,
        count(case when events.measure = 'forced_sales' then 1 end) as forced_sales,
        count(case when events.measure = 'lapsed_or_withdrawn' then 1 end) as lapsed_or_withdrawn
    from years
    cross join petitioner_types
    left join events
        on years.year = events.year
        and petitioner_types.petitioner_type = events.petitioner_type
    group by years.year, petitioner_types.petitioner_type, petitioner_types.sort_order

),

compared as (

    select
        *,
        lag(petitions) over by_type as previous_petitions,
        lag(forced_sales) over by_type as previous_forced_sales
    from counted
    window by_type as (partition by petitioner_type order by year)

),

final as (

    select
        cast(year as integer) as year,
        petitioner_type,
        cast(petitions as bigint) as petitions,
        cast(forced_sales as bigint) as forced_sales,
        cast(lapsed_or_withdrawn as bigint) as lapsed_or_withdrawn,
{{ change_against_previous_year('petitions') }},
{{ change_against_previous_year('forced_sales') }},
        cast(100.0 * forced_sales / nullif(petitions, 0) as double) as forced_sale_share_pct,
        sort_order
    from compared

)

select
    year, petitioner_type, petitions, forced_sales, lapsed_or_withdrawn, petitions_change, petitions_change_pct,
    forced_sales_change, forced_sales_change_pct, forced_sale_share_pct
from final
order by year, sort_order
