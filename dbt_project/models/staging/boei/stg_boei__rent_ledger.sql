with

source as (

    select * from {{ source('boei', 'rent_ledger') }}

),

renamed as (

    select
        -- keys
        cast(bilag_id as varchar) as posting_id,
        cast(leieforhold_id as bigint) as tenancy_id,

        -- values
        cast(bokfort_dato as date) as posted_date,
        cast(posttype as varchar) as posting_type_code,
        cast(belop as decimal(12, 2)) as amount_nok,

        -- metadata
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
