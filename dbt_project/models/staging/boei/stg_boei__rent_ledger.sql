-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- boei/rent_ledger.csv: One row per posting on a tenant's rent account (incremental).
with

source as (

    select * from {{ source('boei', 'rent_ledger') }}

),

renamed as (

    select
        cast(bilag_id as varchar) as posting_id,
        cast(leieforhold_id as bigint) as tenancy_id,
        cast(bokfort_dato as date) as posted_date,
        cast(posttype as varchar) as posting_type_code,
        cast(belop as decimal(12, 2)) as amount_nok,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
