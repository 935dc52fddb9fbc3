-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- kemner/petitions.csv: One row per petition for eviction filed by the collector.
with

source as (

    select * from {{ source('kemner', 'petitions') }}

),

renamed as (

    select
        cast(begjaering_id as varchar) as petition_id,
        cast(leieforhold_id as bigint) as tenancy_id,
        cast(person_key as varchar) as person_key,
        cast(innsendt_dato as date) as filed_date,
        cast(krav_belop as decimal(12, 2)) as claim_nok,
        cast(namsfogd_saksnr as varchar) as bailiff_case_no,
        cast(status as varchar) as status_code,
        cast(status_dato as date) as status_date,
        cast(nemnd_godkjent_dato as date) as board_approved_date,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
