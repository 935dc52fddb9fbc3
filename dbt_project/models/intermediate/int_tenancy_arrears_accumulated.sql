-- Running arrears per tenancy, one row per tenancy and posting date: arrears_nok is the sum of all
-- postings up to and including that date, valid until the tenancy's next posting date (exclusive).
-- Arrears of a tenancy on any date d: the row with valid_from <= d < valid_to (valid_to null = open
-- ended, macro valid_on); no such row means no postings yet, i.e. 0.
-- Incremental: a new ledger delivery recomputes only the tenancies it has postings for, from all of
-- their postings (a posting may be dated before earlier ones), and replaces their rows (delete+insert
-- on tenancy_id). The warehouse runs it so only when every new delivery is later than those built
-- (orchestration/lib/incremental.py); a full build is the same query with every tenancy touched.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='tenancy_id') }}

with

postings as (

    select * from {{ ref('stg_boei__rent_ledger') }}

),

built_through as (

    -- the latest delivery whose postings are in this table; null when nothing is built yet
    {%- if is_incremental() %}
        select max(delivery_date) as delivery_date from {{ this }}
    {%- else %}
        select cast(null as date) as delivery_date
    {%- endif %}

),

touched_tenancies as (

    select distinct tenancy_id
    from postings
    where (select delivery_date from built_through) is null
        or delivery_date > (select delivery_date from built_through)

),

daily as (

    select
        tenancy_id,
        posted_date,
        sum(amount_nok) as posted_nok,
        count(*) as postings_count,
        max(delivery_date) as delivery_date
    from postings
    where tenancy_id in (select tenancy_id from touched_tenancies)
    group by tenancy_id, posted_date

),

accumulated as (

    select
        tenancy_id,
        posted_date as valid_from,
        lead(posted_date) over tenancy_days as valid_to,
        posted_nok,
        postings_count,
        sum(posted_nok) over (tenancy_days rows between unbounded preceding and current row) as arrears_nok,
        delivery_date
    from daily
    window tenancy_days as (partition by tenancy_id order by posted_date)

),

final as (

    select
        concat_ws('@', tenancy_id, strftime(valid_from, '%Y-%m-%d')) as tenancy_arrears_id,
        tenancy_id,
        cast(arrears_nok as decimal(12, 2)) as arrears_nok,
        cast(posted_nok as decimal(12, 2)) as posted_nok,
        cast(postings_count as integer) as postings_count,
        valid_from,
        valid_to,
        delivery_date
    from accumulated

)

select * from final
