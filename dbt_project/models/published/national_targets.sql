-- The national strategy "På vei til egen bolig": petitions -50 %, evictions -30 %, measured from
-- the first year in the data (baseline) to the last (target year), per source.

with

by_year as (

    select * from {{ ref('petitions_evictions_by_year') }}

),

measures as (

    select source, 'petitions' as measure, year, petitions as value from by_year
    union all
    select source, 'evictions' as measure, year, evictions as value from by_year

),

targets as (

    select 'petitions' as measure, {{ var('target_pct_petitions') }} as target_pct
    union all
    select 'evictions' as measure, {{ var('target_pct_evictions') }} as target_pct

),

summarised as (

    select
        measure,
        source,
        min(year) as baseline_year,
        arg_min(value, year) as baseline,
        max(year) as target_year,
        arg_max(value, year) as actual
    from measures
    group by measure, source

),

final as (

    select
        summarised.measure,
        summarised.source,
        cast(summarised.baseline_year as integer) as baseline_year,
        cast(summarised.baseline as bigint) as baseline,
        cast(summarised.target_year as integer) as target_year,
        cast(summarised.actual as bigint) as actual,
        {{ percentage_of('summarised.actual - summarised.baseline', 'summarised.baseline') }} as change_pct,
        cast(targets.target_pct as double) as target_pct,
        {{ percentage_of('summarised.actual - summarised.baseline', 'summarised.baseline') }} <= targets.target_pct as met
    from summarised
    inner join targets
        on summarised.measure = targets.measure

)

select * from final
order by measure desc, source desc
