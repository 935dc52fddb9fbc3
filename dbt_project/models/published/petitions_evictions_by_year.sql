-- Tables 1 and 2 and Diagram 1 of the 2008 report: petitions and evictions per year and source.
--   collector: petitions = the collector's petitions by year filed; evictions = those of its
--              petitions executed, by year of execution;
--   bailiff:   petitions = the bailiff's cases (all landlords) by year received; evictions = the
--              bailiff's cases executed, by year of execution.
-- Years run without gaps from the first to the last year with a count; a year without any has 0.
-- Changes are against the previous (earlier) year; percentages are 0-100 and unrounded.

with

petitions as (

    select * from {{ ref('petitions') }}

),

events as (

    select 'collector' as source, 'petitions' as measure, year(filed_date) as year
    from petitions
    where petitioner_type = 'collector' and petition_id is not null

    union all

    select 'collector' as source, 'evictions' as measure, year(outcome_date) as year
    from petitions
    where petitioner_type = 'collector' and petition_id is not null and is_eviction

    union all

    select 'bailiff' as source, 'petitions' as measure, year(received_date) as year
    from petitions
    where bailiff_case_no is not null

    union all

    select 'bailiff' as source, 'evictions' as measure, year(outcome_date) as year
    from petitions
    where bailiff_case_no is not null and is_eviction

),

year_range as (

    select source, min(year) as first_year, max(year) as last_year
    from events
    group by source

),

years as (

    select
        year_range.source,
        cast(spine.year as integer) as year
    from year_range
    cross join lateral (select unnest(range(year_range.first_year, year_range.last_year + 1)) as year) as spine

),

counted as (

    {{ count_per_category(
        categories='years', category_columns=['years.year', 'years.source'],
        rows='events', joined_on='years.source = events.source and years.year = events.year',
        counts={
            'petitions': "events.measure = 'petitions'",
            'evictions': "events.measure = 'evictions'",
        }
    ) }}

),

compared as (

    {{ with_previous_year('counted', ['petitions', 'evictions'], series='source') }}

),

final as (

    select
        cast(year as integer) as year,
        source,
        petitions,
        evictions,
        {{ change_against_previous_year('petitions') }},
        {{ change_against_previous_year('evictions') }},
        {{ percentage_of('evictions', 'petitions') }} as eviction_share_pct
    from compared

)

select * from final
order by source desc, year
