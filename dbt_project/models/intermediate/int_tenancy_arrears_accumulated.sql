-- Running arrears per tenancy, one row per tenancy and posting date: arrears_nok is the sum of all
-- postings up to and including that date, valid until the tenancy's next posting date (exclusive).
-- Arrears of a tenancy on any date d: the row with valid_from <= d < valid_to (valid_to null = open
-- ended, macro valid_on); no such row means no postings yet, i.e. 0.
-- Incremental: an incremental build only ever adds postings. orchestration/lib/incremental.py runs
-- it so only when every new delivery is later than those built and none of those has changed, and
-- the ingest loads a posting delivered again once (a changed one is quarantined), so a new
-- delivery's rows are postings not built before. For a tenancy with new postings and m = the
-- earliest posted_date among them, its rows before m hold, except that the last one is valid now
-- until m; its rows from m on are recomputed from their built daily figures (their postings are
-- unchanged) and the new postings (a new posting may be dated before earlier ones, or on a date
-- already built), starting from the arrears of the row before m. The posting dates from m on are
-- a superset of the built ones, so the rows emitted replace every row that changes (delete+insert
-- on tenancy_arrears_id) and the work is that of the new postings, not of the tenancies' history.
-- A full build is the same query from no built rows: every posting new, every tenancy from 0.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='tenancy_arrears_id') }}

with

postings as (

    select * from {{ ref('stg_boei__rent_ledger') }}

),

built_rows as (

    {%- if is_incremental() %}
        -- not tenancy_arrears_id: it is made again from tenancy_id and valid_from (final), cheaper
        -- than reading the strings of every built row
        select
            tenancy_id,
            arrears_nok,
            posted_nok,
            postings_count,
            valid_from,
            valid_to,
            delivery_date
        from {{ this }}
    {%- else %}
        -- a full build starts from no rows: this table's columns, no row
        select
            cast(null as bigint) as tenancy_id,
            cast(null as decimal(12, 2)) as arrears_nok,
            cast(null as decimal(12, 2)) as posted_nok,
            cast(null as integer) as postings_count,
            cast(null as date) as valid_from,
            cast(null as date) as valid_to,
            cast(null as date) as delivery_date
        where false
    {%- endif %}

),

built_through as (

    -- the latest delivery whose postings are in this table; from the table, not from built_rows,
    -- because a CTE read twice is materialized, every row of it
    {%- if is_incremental() %}
        select max(delivery_date) as delivery_date from {{ this }}
    {%- else %}
        select cast(null as date) as delivery_date
    {%- endif %}

),

new_postings as (

    select
        tenancy_id,
        posted_date,
        amount_nok,
        delivery_date
    from postings
    -- a full build: every posting. Incremental: one comparison with a scalar, which DuckDB pushes
    -- into the Parquet scan as a filter on delivery_date (row-group statistics skip the deliveries
    -- built); a table still empty has every delivery new
    {%- if is_incremental() %}
        where delivery_date > coalesce((select delivery_date from built_through), date '-infinity')
    {%- endif %}

),

recomputed_from as (

    -- per tenancy with new postings, the earliest of their dates (m): its rows before m hold
    select
        tenancy_id,
        min(posted_date) as recomputed_from
    from new_postings
    group by tenancy_id

),

affected_rows as (

    -- the built rows that change: those from m on, and the last one before m (the one valid on
    -- the day before m: its validity reaches m); a row that ends before m is not read again
    select
        built_rows.*,
        recomputed_from.recomputed_from
    from built_rows
    inner join recomputed_from
        on built_rows.tenancy_id = recomputed_from.tenancy_id
    where built_rows.valid_to is null
        or built_rows.valid_to >= recomputed_from.recomputed_from

),

opening as (

    -- the last row before m: its arrears are where the recomputation starts; it keeps its
    -- postings and delivery, and is valid now until m (a new posting's date, so a row of its own)
    select
        tenancy_id,
        arrears_nok,
        posted_nok,
        postings_count,
        valid_from,
        recomputed_from as valid_to,
        delivery_date
    from affected_rows
    where valid_from < recomputed_from

),

daily as (

    -- every posting date of the tenancy from m on: a built row's figures are those of its postings,
    -- so a new posting on a date already built adds to them (and its later delivery is the date's)
    select
        tenancy_id,
        posted_date,
        sum(posted_nok) as posted_nok,
        sum(postings_count) as postings_count,
        max(delivery_date) as delivery_date
    from (
        select
            tenancy_id,
            valid_from as posted_date,
            posted_nok,
            postings_count,
            delivery_date
        from affected_rows
        where valid_from >= recomputed_from
        union all
        select
            tenancy_id,
            posted_date,
            amount_nok as posted_nok,
            1 as postings_count,
            delivery_date
        from new_postings
    ) as built_and_new
    group by tenancy_id, posted_date

),

accumulated as (

    -- the columns in the order of opening's (emitted unites them by position)
    select
        daily.tenancy_id,
        coalesce(opening.arrears_nok, 0)
        + sum(daily.posted_nok) over (tenancy_days rows between unbounded preceding and current row) as arrears_nok,
        daily.posted_nok,
        daily.postings_count,
        daily.posted_date as valid_from,
        lead(daily.posted_date) over tenancy_days as valid_to,
        daily.delivery_date
    from daily
    left join opening
        on daily.tenancy_id = opening.tenancy_id
    window tenancy_days as (partition by daily.tenancy_id order by daily.posted_date)

),

emitted as (

    select * from accumulated
    union all
    select * from opening

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
    from emitted

)

select * from final
