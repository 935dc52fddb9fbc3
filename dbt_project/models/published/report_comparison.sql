-- The warehouse's figures beside the figures printed in the project's 2008 final report: Tables 1
-- and 2 (counts and their printed changes), Diagram 1 (eviction shares), the text's "reduced by
-- 14 %", the project's 963 households and 45 evictions, the shape figures printed in words
-- ("drøyt 300", "over 80", "drøyt 7 %") and the accounts' totals.
--
-- Only the printed figures are typed in (seed report_figures_2008); every warehouse figure is
-- computed here from the published models, which are computed from the marts. For every figure
-- that differs the row says why; where the report used another arithmetic (report_method), the
-- report's arithmetic is applied to the warehouse's own counts to show that it reproduces the
-- printed figure. quality.reconciliation takes its report_figure_differs findings from here.
-- The union arms name their columns once, in the first arm (sqlfluff would want every arm aliased).
-- noqa: disable=AL03,AL08

with

by_year as (

    select * from {{ ref('petitions_evictions_by_year') }}

),

outcomes as (

    select * from {{ ref('case_outcomes_summary') }}

),

household_types as (

    select * from {{ ref('cases_by_household_type') }}

),

claim_bands as (

    select * from {{ ref('cases_by_claim_band') }}

),

districts as (

    select * from {{ ref('cases_by_district') }}

),

accounts as (

    select * from {{ ref('project_accounts_summary') }}

),

report_figures as (

    select * from {{ ref('report_figures_2008') }}

),

yearly as (

    {{ with_previous_year('by_year', ['petitions', 'evictions', 'eviction_share_pct'], series='source') }}

),

-- One row per figure the warehouse computes: its value (unrounded), the value the report's
-- arithmetic gives on the same counts (when the report used another), the figures it is computed
-- from (for the explanation) and the smallest count it rests on (for disclosure control).
computed as (

    select
        source, year, cast(null as varchar) as category, 'petitions' as measure,
        cast(petitions as double) as warehouse_value,
        cast(null as double) as later_year_value,
        cast(null as double) as rounded_shares_value,
        cast(petitions as bigint) as smallest_count,
        cast(null as bigint) as this_value, cast(null as bigint) as previous_value,
        cast(null as double) as this_share, cast(null as double) as previous_share
    from yearly

    union all

    select source, year, null, 'evictions', evictions, null, null, evictions, null, null, null, null
    from yearly

    union all

    {%- for count in ['petitions', 'evictions'] %}
        {%- set previous = 'previous_' ~ count %}

        select
            source, year, null, '{{ count }}_change', {{ count }} - {{ previous }}, null, null,
            least({{ count }}, {{ previous }}), {{ count }}, {{ previous }}, null, null
        from yearly
        where {{ previous }} is not null

        union all

        -- the report's arithmetic: the change over the later year's figure
        select
            source, year, null, '{{ count }}_change_pct',
            {{ count }}_change_pct,
            {{ percentage_of(count ~ ' - ' ~ previous, count) }},
            null,
            least({{ count }}, {{ previous }}), {{ count }}, {{ previous }}, null, null
        from yearly
        where {{ previous }} is not null

        union all
    {%- endfor %}

    select
        source, year, null, 'eviction_share_pct', eviction_share_pct, null, null,
        least(petitions, evictions), evictions, petitions, null, null
    from yearly

    union all

    select
        source, year, null, 'eviction_share_change_pct',
        {{ percentage_of('eviction_share_pct - previous_eviction_share_pct', 'previous_eviction_share_pct') }},
        null,
        round(eviction_share_pct, 0) - round(previous_eviction_share_pct, 0),
        least(petitions, evictions, previous_petitions, previous_evictions),
        null, null, eviction_share_pct, previous_eviction_share_pct
    from yearly
    where previous_petitions is not null

    union all

    select 'project', null, null, 'project_cases', sum(cases), null, null, sum(cases), null, null, null, null
    from outcomes

    union all

    select 'project', null, null, 'evicted_cases', cases, null, null, cases, null, null, null, null
    from outcomes
    where outcome = 'evicted'

    union all

    select 'project', null, null, 'cases_with_children', cases, null, null, cases, null, null, null, null
    from household_types
    where household_type = 'with_children'

    union all

    select 'project', null, null, 'cases_claim_30000_plus', cases, null, null, cases, null, null, null, null
    from claim_bands
    where claim_band = '30000+'

    union all

    select
        'project', null, district, 'social_service_paid_pct', social_service_paid_pct, null, null,
        least(cases, social_service_paid), social_service_paid, cases, null, null
    from districts

    union all

    select 'accounts', null, null, 'total_income_nok', total_income_nok, null, null, null, null, null, null, null
    from accounts

    union all

    select 'accounts', null, null, 'total_expenses_nok', total_expenses_nok, null, null, null, null, null, null, null
    from accounts

    union all

    select 'accounts', null, null, 'balance_nok', balance_nok, null, null, null, null, null, null, null
    from accounts

),

compared as (

    select
        report_figures.report_order,
        report_figures.figure,
        report_figures.measure,
        report_figures.source,
        report_figures.year,
        report_figures.category,
        report_figures.description,
        report_figures.printed_as,
        cast(report_figures.printed_value as double) as printed_value,
        report_figures.decimals,
        report_figures.printed_relation,
        report_figures.report_method,
        computed.warehouse_value,
        case report_figures.report_method
            when 'as_warehouse' then computed.warehouse_value
            when 'change_over_later_year' then computed.later_year_value
            when 'difference_of_rounded_shares' then computed.rounded_shares_value
        end as report_method_value,
        computed.smallest_count,
        computed.this_value,
        computed.previous_value,
        computed.this_share,
        computed.previous_share
    from report_figures
    left join computed
        on report_figures.measure = computed.measure
            and report_figures.source = computed.source
            and report_figures.year is not distinct from computed.year
            and report_figures.category is not distinct from computed.category

),

judged as (

    select
        *,
        case
            when warehouse_value is null then null
            when printed_relation = 'more_than' then warehouse_value > printed_value
            else abs(round(warehouse_value, decimals) - printed_value) < 1e-9
        end as agrees,
        case
            when report_method_value is null then null
            when printed_relation = 'more_than' then report_method_value > printed_value
            else abs(round(report_method_value, decimals) - printed_value) < 1e-9
        end as report_method_reproduces,
        -- For the explanation: percentages with one decimal more than printed (at least one).
        case when measure like '%\_pct' escape '\' then greatest(decimals, 1) else decimals end as shown_decimals,
        case
            when measure like '%\_pct' escape '\' then ' %'
            when measure like '%\_nok' escape '\' then ' NOK'
            else ''
        end as unit
    from compared

),

final as (

    select
        figure,
        measure,
        source,
        cast(year as integer) as year,
        category,
        description,
        printed_as,
        printed_value,
        cast(decimals as integer) as decimals,
        printed_relation,
        warehouse_value,
        cast(warehouse_value - printed_value as double) as difference,
        agrees,
        report_method,
        cast(report_method_value as double) as report_method_value,
        case
            when warehouse_value is null then 'not_computed'
            when agrees then 'agrees'
            when report_method <> 'as_warehouse' and report_method_reproduces then 'report_arithmetic'
            else 'differs'
        end as status,
        case
            when warehouse_value is null
                then 'The warehouse has no data for this figure.'
            when agrees and printed_relation = 'more_than'
                then format(
                        'Agrees: the warehouse computes {}{}, more than the printed "{}".',
                        format('{:.{}f}', warehouse_value, shown_decimals), unit, printed_as
                    )
            when agrees and abs(warehouse_value - printed_value) < 1e-9
                then format(
                        'Agrees: the warehouse computes the same figure, {}{}.',
                        format('{:.{}f}', warehouse_value, shown_decimals), unit
                    )
            when agrees
                then format(
                        'Agrees: the warehouse computes {}{}, which rounds to the printed "{}".',
                        format('{:.{}f}', warehouse_value, shown_decimals), unit, printed_as
                    )
            when report_method = 'change_over_later_year' and report_method_reproduces
                then format(
                        'The report divided the change ({:+d}) by the later year''s figure ({:d}): {:+.1f} %, printed as "{}". '
                        || 'Measured against the earlier year''s figure ({:d}), as official statistics measure change, '
                        || 'the change is {:+.1f} %.',
                        this_value - previous_value, this_value, report_method_value, printed_as,
                        previous_value, warehouse_value
                    )
            when report_method = 'difference_of_rounded_shares' and report_method_reproduces
                then format(
                        'The report subtracted the shares rounded to whole percent ({:.0f} % and {:.0f} %) and printed '
                        || 'the difference, {:.0f} percentage points, as a reduction of {:.0f} % ("{}"). The share fell '
                        || 'from {:.1f} % to {:.1f} % ({:+.1f} percentage points): a relative change of {:+.1f} %.',
                        previous_share, this_share, abs(report_method_value), abs(report_method_value), printed_as,
                        previous_share, this_share, this_share - previous_share, warehouse_value
                    )
            when printed_relation = 'more_than'
                then format(
                        'Differs: the report says "{}", the warehouse computes {}{}.',
                        printed_as, format('{:.{}f}', warehouse_value, shown_decimals), unit
                    )
            else format(
                    'Differs: the report prints "{}", the warehouse computes {}{} (difference {}{}).',
                    printed_as, format('{:.{}f}', warehouse_value, shown_decimals), unit,
                    format('{:+.{}f}', warehouse_value - printed_value, shown_decimals), unit
                )
        end as explanation,
        cast(smallest_count as bigint) as smallest_count,
        report_order
    from judged

)

select * exclude (report_order) from final
order by report_order
