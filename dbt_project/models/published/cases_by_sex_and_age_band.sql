-- Diagrams 4 and 5: project cases by the tenant's sex and age band (when the case opened).
-- Every sex x age band has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

sexes as (

    select * from (values ('F', 1), ('M', 2)) as spine (sex, sex_order)  -- noqa: AL05

),

age_bands as (

    {{ band_spine(age_band_values(), 'age_band') }}

),

counted as (

    {{ count_per_category(
        categories=['sexes', 'age_bands'],
        category_columns=['sexes.sex', 'age_bands.age_band', 'sexes.sex_order', 'age_bands.sort_order as age_order'],
        rows='cases', joined_on='sexes.sex = cases.sex and age_bands.age_band = cases.age_band',
        counts={'cases': 'cases.case_id is not null'}
    ) }}

),

final as (

    select
        sex,
        age_band,
        cases,
        {{ share_of_total('cases') }} as share_pct,
        age_order
    from counted

)

select sex, age_band, cases, share_pct
from final
order by sex, age_order
