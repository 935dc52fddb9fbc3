with

source as (

    select * from {{ source('regnskap', 'ledger') }}

),

renamed as (

    select
        -- keys
        cast(art as varchar) as account,

        -- values
        cast(tekst as varchar) as account_text,
        cast(belop as decimal(12, 2)) as amount_nok,

        -- metadata
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
