-- Diagram 5: project cases by the tenant's sex. Both sexes have a row. These are the sex totals
-- of cases_by_sex_and_age_band (whose disclosure control treats them as published margins).

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

sexes as (

    select * from (values ('F', 1), ('M', 2)) as spine (sex, sex_order)

),

counted as (

    select
        sexes.sex,
        sexes.sex_order,
        count(cases.case_id) as cases
    from sexes
    left join cases
        on sexes.sex = cases.sex
    group by sexes.sex, sexes.sex_order

),

final as (

    select
        sex,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct,
        sex_order
    from counted

)

select sex, cases, share_pct
from final
order by sex_order
