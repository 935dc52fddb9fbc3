with

petitions as (

    select * from {{ ref('int_petitions_enriched') }}

),

final as (

    select
        bailiff_case_no,
        petition_id,
        petitioner_type,
        person_key,
        cast(tenancy_id as integer) as tenancy_id,
        filed_date,
        received_date,
        cast(claim_nok as decimal(12, 2)) as claim_nok,
        claim_band,
        outcome,
        outcome_date,
        is_eviction,
        match_status,
        board_approved,
        match_method,
        collector_outcome,
        bailiff_outcome
    from petitions

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by bailiff_case_no nulls last, petition_id nulls last
