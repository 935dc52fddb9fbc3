with

households as (

    select * from {{ ref('int_households_prioritized') }}

),

final as (

    select
        cast(tenancy_id as integer) as tenancy_id,
        person_key,
        district,
        dwelling_type,
        cast(household_size as integer) as household_size,
        cast(children_count as integer) as children_count,
        head_sex,
        head_age_band,
        cast(monthly_rent_nok as decimal(12, 2)) as monthly_rent_nok,
        start_date,
        end_date,
        cast(arrears_nok as decimal(12, 2)) as arrears_nok,
        priority,
        snapshot_date
    from households

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by tenancy_id
