-- Generated from orchestration/lib/contract.py by `uv run evictions generate`: do not edit.
-- prosjekt/cases.csv: One row per household the project mapped.
with

source as (

    select * from {{ source('prosjekt', 'cases') }}

),

renamed as (

    select
        cast(sak_id as varchar) as case_id,
        cast(leieforhold_id as bigint) as tenancy_id,
        cast(person_key as varchar) as person_key,
        cast(opprettet as date) as opened_date,
        cast(sosialtjeneste as varchar) as district,
        cast(kjent_sosialtjenesten as varchar) as known_to_social_service_code,
        cast(barn_i_husstand as integer) as children_count,
        cast(inntektskilde as varchar) as income_source_code,
        cast(krav_belop as decimal(12, 2)) as claim_nok,
        cast(utfall as varchar) as outcome_code,
        cast(losning as varchar) as solution_code,
        cast(tiltak as varchar[]) as action_codes,
        cast(avsluttet as date) as closed_date,
        cast(sex as varchar) as sex,
        cast(age_band as varchar) as age_band,
        cast(delivery_date as date) as delivery_date,
        cast(row_number as bigint) as source_row_number

    from source

)

select * from renamed
