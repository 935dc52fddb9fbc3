-- Diagrams 11 and 12: project cases by the size of the claim when the case opened, and the share
-- of them resolved before eviction. Every claim band has a row.

with

cases as (

    select * from {{ ref('case_outcomes') }}

),

claim_bands as (

    {{ band_spine(claim_band_values(), 'claim_band') }}

),

final as (

    {{ case_outcomes_per_category(
        categories='claim_bands', category_columns=['claim_bands.claim_band', 'claim_bands.sort_order'],
        joined_on='claim_bands.claim_band = cases.claim_band'
    ) }}

)

select claim_band, cases, share_pct, resolved_cases, resolved_pct, evictions, eviction_share_pct
from final
order by sort_order
