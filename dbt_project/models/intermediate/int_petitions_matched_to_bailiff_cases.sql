-- Pairs the collector's petitions (latest kemner snapshot) with the bailiff's cases (latest
-- namsfogd snapshot). One row per petition and per bailiff case; a matched pair is one row.
--
-- Only the bailiff's KOMMUNE cases (petitioner = the collector) can match a collector petition:
--   1. by reference: the bailiff's Saksokers_ref (petitioner_reference) = the petition id;
--   2. otherwise by case number: the collector's namsfogd_saksnr (bailiff_case_no) = Saksnr,
--      among petitions and cases not matched in step 1.
-- Matches are one-to-one: when several candidates exist, the earliest received case (then the
-- lowest case number) wins for a petition, and the earliest filed petition (then the lowest id)
-- wins for a case; the losers stay unmatched.
-- match_status: matched, collector_only (the bailiff never received the petition), bailiff_only
-- (a KOMMUNE case with no collector petition), not_applicable (private and co-operative landlords).

with

petitions as (

    select
        petition_id,
        bailiff_case_no as noted_bailiff_case_no,
        filed_date
    from {{ ref('int_petitions_filtered_to_latest') }}

),

bailiff_cases as (

    select
        bailiff_case_no,
        petitioner_reference,
        petitioner_type_code,
        received_date
    from {{ ref('int_bailiff_cases_filtered_to_latest') }}

),

collector_cases as (

    select * from bailiff_cases
    where petitioner_type_code = 'KOMMUNE'

),

reference_candidates as (

    select
        petitions.petition_id,
        collector_cases.bailiff_case_no,
        petitions.filed_date,
        collector_cases.received_date
    from petitions
    inner join collector_cases
        on collector_cases.petitioner_reference = petitions.petition_id

),

reference_best_per_petition as (

    select * from reference_candidates
    qualify row_number() over (partition by petition_id order by received_date, bailiff_case_no) = 1

),

reference_matches as (

    select petition_id, bailiff_case_no, 'reference' as match_method
    from reference_best_per_petition
    qualify row_number() over (partition by bailiff_case_no order by filed_date, petition_id) = 1

),

case_number_candidates as (

    select
        petitions.petition_id,
        collector_cases.bailiff_case_no,
        petitions.filed_date,
        collector_cases.received_date
    from petitions
    inner join collector_cases
        on petitions.noted_bailiff_case_no = collector_cases.bailiff_case_no
    where petitions.petition_id not in (select petition_id from reference_matches)
        and collector_cases.bailiff_case_no not in (select bailiff_case_no from reference_matches)

),

case_number_best_per_petition as (

    select * from case_number_candidates
    qualify row_number() over (partition by petition_id order by received_date, bailiff_case_no) = 1

),

case_number_matches as (

    select petition_id, bailiff_case_no, 'case_number' as match_method
    from case_number_best_per_petition
    qualify row_number() over (partition by bailiff_case_no order by filed_date, petition_id) = 1

),

matches as (

    select * from reference_matches
    union all
    select * from case_number_matches

),

matched as (

    select
        bailiff_case_no,
        petition_id,
        match_method,
        'matched' as match_status
    from matches

),

collector_only as (

    select
        cast(null as varchar) as bailiff_case_no,
        petition_id,
        cast(null as varchar) as match_method,
        'collector_only' as match_status
    from petitions
    where petition_id not in (select petition_id from matches)

),

bailiff_unmatched as (

    select
        bailiff_case_no,
        cast(null as varchar) as petition_id,
        cast(null as varchar) as match_method,
        case
            when petitioner_type_code = 'KOMMUNE' then 'bailiff_only'
            else 'not_applicable'
        end as match_status
    from bailiff_cases
    where bailiff_case_no not in (select bailiff_case_no from matches)

),

final as (

    select * from matched
    union all
    select * from collector_only
    union all
    select * from bailiff_unmatched

)

select * from final
