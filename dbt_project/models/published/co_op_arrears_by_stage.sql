-- The co-operatives' arrears cases of the latest bbl delivery per housing association (BOB, VESTBO,
-- STOR_BERGEN) and stage (warning, ordered_to_sell, petitioned, settled, sold_by_member,
-- sold_by_force): cases, cases with children in the household, the arrears in all, and the cases
-- in each claim band of arrears_nok (under 5000 ... 30000+; the band columns add up to cases).
-- Every association and stage has a row (0 when none).

with

arrears as (

    select * from {{ ref('co_op_arrears') }}

),

housing_associations as (

    select label as housing_association, sort_order
    from ({{ ordered_code_labels('housing_association', ['BOB', 'VESTBO', 'STOR_BERGEN']) }})

),

stages as (

    select label as stage, sort_order
    from ({{ ordered_code_labels('co_op_stage', ['VARSEL', 'PALEGG_SALG', 'BEGJAERT', 'LOST', 'SOLGT_FRIVILLIG', 'TVANGSSOLGT']) }})

),

banded as (

    select *, {{ claim_band('arrears_nok') }} as claim_band
    from arrears

),

final as (

    select
        housing_associations.housing_association,
        stages.stage,
        cast(count(banded.arrears_case_id) as bigint) as cases,
        cast(count(case when banded.children_count > 0 then 1 end) as bigint) as with_children,
        cast(coalesce(sum(banded.arrears_nok), 0) as decimal(14, 2)) as arrears_nok_total,
        {%- for band in claim_band_values() %}
            cast(count(case when banded.claim_band = '{{ band }}' then 1 end) as bigint) as "{{ band }}",
        {%- endfor %}
        housing_associations.sort_order as association_order,
        stages.sort_order as stage_order
    from housing_associations
    cross join stages
    left join banded
        on housing_associations.housing_association = banded.housing_association
            and stages.stage = banded.stage
    group by
        housing_associations.housing_association, stages.stage, housing_associations.sort_order,
        stages.sort_order

)

select
    housing_association, stage, cases, with_children, arrears_nok_total,
{%- for band in claim_band_values() %}
    "{{ band }}"{{ "," if not loop.last }}
{%- endfor %}
from final
order by association_order, stage_order
