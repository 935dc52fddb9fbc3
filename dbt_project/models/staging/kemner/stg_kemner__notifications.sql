-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- kemner/notifications.csv: The collector's notification list to the district social services.
with

source as (

    select * from {{ source('kemner', 'notifications') }}

),

renamed as (

    select
        cast(varsel_id as varchar) as notification_id,
        cast(leieforhold_id as bigint) as tenancy_id,
        cast(person_key as varchar) as person_key,
        cast(varsel_dato as date) as notified_date,
        cast(restanse_belop as decimal(12, 2)) as arrears_nok,
        cast(bydel as varchar) as district,
        cast(varseltype as varchar) as notification_type_code,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
