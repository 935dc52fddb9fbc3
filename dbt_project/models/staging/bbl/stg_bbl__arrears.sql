-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- bbl/arrears.csv: One row per co-operative member with unpaid common costs, and per such case closed since the previous delivery (the housing co-operatives' management companies).
with

source as (

    select * from {{ source('bbl', 'arrears') }}

),

renamed as (

    select
        cast(sak_id as varchar) as arrears_case_id,
        cast(boligbyggelag as varchar) as housing_association_code,
        cast(borettslag as varchar) as co_operative,
        cast(andel_nr as varchar) as share_no,
        cast(person_key as varchar) as person_key,
        cast(bydel as varchar) as district,
        cast(barn_i_husstand as integer) as children_count,
        cast(restanse_belop as decimal(12, 2)) as arrears_nok,
        cast(forfalt_siden as date) as overdue_since,
        cast(trinn as varchar) as stage_code,
        cast(trinn_dato as date) as stage_date,
        cast(sosialtjeneste_varslet as date) as social_service_notified_date,
        cast(begjaert_dato as date) as petitioned_date,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
