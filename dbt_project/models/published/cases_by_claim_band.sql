-- Diagrams 11 and 12: project cases by the size of the claim when the case opened, and the share
-- of them resolved before eviction. Every claim band has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

claim_bands as (

    {{ band_spine(claim_band_values(), 'claim_band') }}

),

counted as (

    select
        claim_bands.claim_band,
        claim_bands.sort_order,
        count(cases.case_id) as cases,
        count(case when cases.outcome = 'resolved' then 1 end) as resolved_cases,
        count(case when cases.outcome = 'evicted' then 1 end) as evictions
    from claim_bands
    left join cases
        on claim_bands.claim_band = cases.claim_band
    group by claim_bands.claim_band, claim_bands.sort_order

),

final as (

    select
        claim_band,
        cast(cases as bigint) as cases,
        cast(100.0 * cases / nullif(sum(cases) over (), 0) as double) as share_pct,
        cast(resolved_cases as bigint) as resolved_cases,
        cast(100.0 * resolved_cases / nullif(cases, 0) as double) as resolved_pct,
        cast(evictions as bigint) as evictions,
        cast(100.0 * evictions / nullif(cases, 0) as double) as eviction_share_pct,
        sort_order
    from counted

)

select claim_band, cases, share_pct, resolved_cases, resolved_pct, evictions, eviction_share_pct
from final
order by sort_order
