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

{#- the tie-breaks of both passes: the best case for a petition, the best petition for a case #}
{%- set best_case = 'received_date, bailiff_case_no' %}
{%- set best_petition = 'filed_date, petition_id' %}

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

reference_matches as (

    {{ one_to_one_matches('reference_candidates', 'petition_id', best_case, 'bailiff_case_no', best_petition, 'reference') }}

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

case_number_matches as (

    {{ one_to_one_matches('case_number_candidates', 'petition_id', best_case, 'bailiff_case_no', best_petition, 'case_number') }}

),

matches as (

    select * from reference_matches
    union all
    select * from case_number_matches

),

final as (

    {{ bailiff_matching_rows(
        'matches', bailiff_cases='bailiff_cases', matchable_petitioner_type='KOMMUNE',
        records='petitions', record_key='petition_id', record_only_status='collector_only'
    ) }}

)

select * from final
