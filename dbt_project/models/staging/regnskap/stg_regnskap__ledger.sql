-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- regnskap/ledger.csv: The project's accounts, one row per account line.
with

source as (

    select * from {{ source('regnskap', 'ledger') }}

),

renamed as (

    select
        cast(art as varchar) as account,
        cast(tekst as varchar) as account_text,
        cast(belop as decimal(12, 2)) as amount_nok,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
