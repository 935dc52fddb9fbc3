-- The notification routine's headline measure (the forced-sale follow-up project): per year received
-- and petitioner type (cooperative, municipality), the bailiff's forced-sale petitions, how many of
-- them the district social service was notified about before the petition was received
-- (forced_sale_cases.social_service_notified_date: the co-operative's sosialtjeneste_varslet or a
-- collector notice of type TVANGSSALG for the same person, dated before the receipt), the share,
-- and the median number of days the notice came before the petition. Years run without gaps from
-- the first to the last year with a forced-sale petition; both petitioner types in each (0 when none).

with

cases as (

    select * from {{ ref('forced_sale_cases') }}
    where bailiff_case_no is not null
        and petitioner_type in ('cooperative', 'municipality')

),

petitioner_types as (

    select * from (values ('cooperative', 1), ('municipality', 2)) as types (petitioner_type, sort_order)  -- noqa: AL05

),

years as (

    select cast(unnest(range(min(year(received_date)), max(year(received_date)) + 1)) as integer) as year
    from {{ ref('forced_sale_cases') }}
    where bailiff_case_no is not null

),

counted as (

    select
        years.year,
        petitioner_types.petitioner_type,
        petitioner_types.sort_order,
        count(cases.bailiff_case_no) as petitions,
        count(cases.social_service_notified_date) as notified_before,
        median(cases.notice_days_before_petition) as median_notice_days
    from years
    cross join petitioner_types
    left join cases
        on years.year = year(cases.received_date)
            and petitioner_types.petitioner_type = cases.petitioner_type
    group by years.year, petitioner_types.petitioner_type, petitioner_types.sort_order

),

final as (

    select
        cast(year as integer) as year,
        petitioner_type,
        cast(petitions as bigint) as petitions,
        cast(notified_before as bigint) as notified_before,
        {{ percentage_of('notified_before', 'petitions') }} as notified_before_pct,
        cast(median_notice_days as double) as median_notice_days,
        sort_order
    from counted

)

select year, petitioner_type, petitions, notified_before, notified_before_pct, median_notice_days
from final
order by year, sort_order
