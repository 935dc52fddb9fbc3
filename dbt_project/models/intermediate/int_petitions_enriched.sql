-- One row per eviction case at the bailiff plus one per collector petition the bailiff never
-- received, with both sides' facts and the unified outcome:
--   * the bailiff's Utfall when the bailiff has the case (bailiff_outcome code list: pending,
--     executed, lapsed, postponed, rejected), dated Utfall_dato;
--   * otherwise the collector's status (petition_status code list: SENDT -> pending,
--     TRUKKET -> withdrawn, FULLFORT -> executed, AVVIST -> rejected), dated status_dato.
-- person_key is the bailiff's respondent when the bailiff has the case, else the collector's tenant.
-- board_approved is null for rows without a collector petition.

with

matches as (

    select * from {{ ref('int_petitions_matched_to_bailiff_cases') }}

),

petitions as (

    select * from {{ ref('int_petitions_filtered_to_latest') }}

),

bailiff_cases as (

    select * from {{ ref('int_bailiff_cases_filtered_to_latest') }}

),

petitioner_types as (

    {{ code_labels('petitioner_type') }}

),

bailiff_outcomes as (

    {{ code_labels('bailiff_outcome') }}

),

petition_statuses as (

    {{ code_labels('petition_status') }}

),

joined as (

    select
        matches.bailiff_case_no,
        matches.petition_id,
        case
            when bailiff_cases.bailiff_case_no is not null then petitioner_types.label
            else 'collector'
        end as petitioner_type,
        coalesce(bailiff_cases.person_key, petitions.person_key) as person_key,
        petitions.tenancy_id,
        petitions.filed_date,
        bailiff_cases.received_date,
        petitions.claim_nok,
        case
            when bailiff_cases.bailiff_case_no is not null then bailiff_outcomes.label
            else petition_statuses.label
        end as outcome,
        case
            when bailiff_cases.bailiff_case_no is not null then bailiff_cases.outcome_date
            else petitions.status_date
        end as outcome_date,
        matches.match_status,
        case
            when petitions.petition_id is not null then petitions.board_approved_date is not null
        end as board_approved,
        matches.match_method,
        petitions.status_code as collector_status_code,
        petition_statuses.label as collector_outcome,
        petitions.status_date as collector_status_date,
        bailiff_cases.outcome_code as bailiff_outcome_code,
        bailiff_outcomes.label as bailiff_outcome,
        bailiff_cases.outcome_date as bailiff_outcome_date,
        bailiff_cases.scheduled_date,
        petitions.board_approved_date,
        petitions.person_key as collector_person_key
    from matches
    left join petitions
        on matches.petition_id = petitions.petition_id
    left join bailiff_cases
        on matches.bailiff_case_no = bailiff_cases.bailiff_case_no
    left join petitioner_types
        on bailiff_cases.petitioner_type_code = petitioner_types.code
    left join bailiff_outcomes
        on bailiff_cases.outcome_code = bailiff_outcomes.code
    left join petition_statuses
        on petitions.status_code = petition_statuses.code

),

final as (

    select
        bailiff_case_no,
        petition_id,
        petitioner_type,
        person_key,
        tenancy_id,
        filed_date,
        received_date,
        claim_nok,
        {{ claim_band('claim_nok') }} as claim_band,
        outcome,
        outcome_date,
        outcome = 'executed' as is_eviction,
        match_status,
        board_approved,
        match_method,
        collector_status_code,
        collector_outcome,
        collector_status_date,
        bailiff_outcome_code,
        bailiff_outcome,
        bailiff_outcome_date,
        scheduled_date,
        board_approved_date,
        collector_person_key
    from joined

)

select * from final
