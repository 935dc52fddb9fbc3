-- Arrears of every tenancy in the latest housing-register snapshot on the snapshot date (the
-- delivery date of that snapshot): postings with posted_date <= snapshot date (macro
-- arrears_as_of). A tenancy without postings has arrears 0.

with

tenancies as (

    select
        tenancy_id,
        delivery_date as snapshot_date
    from {{ ref('int_tenancies_filtered_to_latest') }}

),

snapshot as (

    select max(snapshot_date) as snapshot_date from tenancies

),

arrears as (

    {{ arrears_as_of('(select snapshot_date from snapshot)') }}

),

final as (

    select
        tenancies.tenancy_id,
        cast(coalesce(arrears.arrears_nok, 0) as decimal(12, 2)) as arrears_nok,
        cast(coalesce(arrears.postings_count, 0) as integer) as postings_count,
        arrears.last_posted_date,
        tenancies.snapshot_date
    from tenancies
    left join arrears
        on tenancies.tenancy_id = arrears.tenancy_id

)

select * from final
