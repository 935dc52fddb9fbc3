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

    select label as petitioner_type, sort_order
    from ({{ ordered_code_labels('forced_sale_petitioner_type', ['BORETTSLAG', 'KOMMUNE', 'BANK', 'ANNEN']) }})

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

    {{ count_per_category(
        categories=['years', 'petitioner_types'],
        category_columns=['years.year', 'petitioner_types.petitioner_type', 'petitioner_types.sort_order'],
        rows='events',
        joined_on='years.year = events.year and petitioner_types.petitioner_type = events.petitioner_type',
        counts={
            'petitions': "events.measure = 'petitions'",
            'forced_sales': "events.measure = 'forced_sales'",
            'lapsed_or_withdrawn': "events.measure = 'lapsed_or_withdrawn'",
        }
    ) }}

),

compared as (

    {{ with_previous_year('counted', ['petitions', 'forced_sales'], series='petitioner_type') }}

),

final as (

    select
        cast(year as integer) as year,
        petitioner_type,
        petitions,
        forced_sales,
        lapsed_or_withdrawn,
        {{ change_against_previous_year('petitions') }},
        {{ change_against_previous_year('forced_sales') }},
        {{ percentage_of('forced_sales', 'petitions') }} as forced_sale_share_pct,
        sort_order
    from compared

)

select
    year, petitioner_type, petitions, forced_sales, lapsed_or_withdrawn, petitions_change, petitions_change_pct,
    forced_sales_change, forced_sales_change_pct, forced_sale_share_pct
from final
order by year, sort_order
