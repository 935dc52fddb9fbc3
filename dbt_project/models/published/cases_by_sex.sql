-- Diagram 5: project cases by the tenant's sex. Both sexes have a row. These are the sex totals
-- of cases_by_sex_and_age_band (whose disclosure control treats them as published margins).

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

sexes as (

    select * from (values ('F', 1), ('M', 2)) as spine (sex, sex_order)  -- noqa: AL05

),

counted as (

    {{ count_per_category(
        categories='sexes', category_columns=['sexes.sex', 'sexes.sex_order'],
        rows='cases', joined_on='sexes.sex = cases.sex',
        counts={'cases': 'cases.case_id is not null'}
    ) }}

),

final as (

    select
        sex,
        cases,
        {{ share_of_total('cases') }} as share_pct,
        sex_order
    from counted

)

select sex, cases, share_pct
from final
order by sex_order
