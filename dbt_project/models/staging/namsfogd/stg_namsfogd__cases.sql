-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- namsfogd/cases.xlsx: Every eviction case at the bailiff in Bergen, all landlords.
with

source as (

    select * from {{ source('namsfogd', 'cases') }}

),

renamed as (

    select
        cast(saksnr as varchar) as bailiff_case_no,
        cast(mottatt as date) as received_date,
        cast(saksokertype as varchar) as petitioner_type_code,
        cast(saksokers_ref as varchar) as petitioner_reference,
        cast(person_key as varchar) as person_key,
        cast(berammet as date) as scheduled_date,
        cast(utfall as varchar) as outcome_code,
        cast(utfall_dato as date) as outcome_date,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
