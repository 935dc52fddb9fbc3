-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- boei/tenancies.csv: One row per tenancy in the municipal housing register.
with

source as (

    select * from {{ source('boei', 'tenancies') }}

),

renamed as (

    select
        cast(leieforhold_id as bigint) as tenancy_id,
        cast(bolig_id as varchar) as dwelling_id,
        cast(person_key as varchar) as person_key,
        cast(bydel as varchar) as district,
        cast(boligtype as varchar) as dwelling_type_code,
        cast(antall_personer as integer) as household_size,
        cast(antall_barn as integer) as children_count,
        cast(husleie as decimal(12, 2)) as monthly_rent_nok,
        cast(fra_dato as date) as start_date,
        cast(til_dato as date) as end_date,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
