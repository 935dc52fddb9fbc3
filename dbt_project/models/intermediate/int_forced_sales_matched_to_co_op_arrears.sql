-- Pairs the bailiff's forced-sale cases (latest forced_sales.xlsx) with the co-operatives' arrears
-- cases (bbl, every case ever delivered in its latest known version). One row per bailiff case and
-- per co-operative petition the bailiff never received; a matched pair is one row.
--
-- Only the bailiff's BORETTSLAG cases (petitioner = a housing co-operative) can match an arrears case:
--   1. by reference: the bailiff's Saksokers_ref (petitioner_reference) = the arrears case's sak_id;
--   2. where the reference is missing: the same person (person_key), and the co-operative petitioned
--      (begjaert_dato) at most var('forced_sale_match_window_days') days before or after the bailiff
--      received the petition; among arrears cases and bailiff cases not matched in step 1.
-- Matches are one-to-one: the closest dates (then the earliest received case, the lowest case
-- number / the lowest sak_id) win; the losers stay unmatched.
-- match_status: matched; cooperative_only (an arrears case at stage BEGJAERT or TVANGSSOLGT that
-- no bailiff case matches: a co-operative petition the bailiff never received); bailiff_only (a
-- BORETTSLAG case with no arrears case); not_applicable (municipality, bank and other petitioners,
-- which deliver no arrears cases).

with

bailiff_cases as (

    select
        bailiff_case_no,
        petitioner_reference,
        petitioner_type_code,
        person_key,
        received_date
    from {{ ref('int_forced_sales_filtered_to_latest') }}

),

co_op_cases as (

    select
        arrears_case_id,
        person_key,
        stage_code,
        petitioned_date
    from {{ ref('int_co_op_arrears_latest_known') }}

),

co_op_petitions as (

    select * from bailiff_cases
    where petitioner_type_code = 'BORETTSLAG'

),

reference_candidates as (

    select
        co_op_petitions.bailiff_case_no,
        co_op_cases.arrears_case_id,
        co_op_petitions.received_date,
        co_op_cases.petitioned_date
    from co_op_petitions
    inner join co_op_cases
        on co_op_petitions.petitioner_reference = co_op_cases.arrears_case_id

),

reference_matches as (

-- a sak_id is unique, so a bailiff case has at most one candidate (its ordering decides nothing);
-- an arrears case referred to by several bailiff cases goes to the earliest received
    {{ one_to_one_matches(
        'reference_candidates', 'bailiff_case_no', 'arrears_case_id',
        'arrears_case_id', 'received_date, bailiff_case_no', 'reference'
    ) }}

),

person_date_candidates as (

    select
        co_op_petitions.bailiff_case_no,
        co_op_cases.arrears_case_id,
        co_op_petitions.received_date,
        abs(datediff('day', co_op_cases.petitioned_date, co_op_petitions.received_date)) as days_apart
    from co_op_petitions
    inner join co_op_cases
        on co_op_petitions.person_key = co_op_cases.person_key
    where co_op_petitions.petitioner_reference is null
        and co_op_cases.petitioned_date is not null
        and abs(datediff('day', co_op_cases.petitioned_date, co_op_petitions.received_date))
        <= {{ var('forced_sale_match_window_days') }}
        and co_op_petitions.bailiff_case_no not in (select bailiff_case_no from reference_matches)
        and co_op_cases.arrears_case_id not in (select arrears_case_id from reference_matches)

),

person_date_matches as (

-- the closest dates win, then the lowest sak_id for a case, the earliest received case for a sak_id
    {{ one_to_one_matches(
        'person_date_candidates', 'bailiff_case_no', 'days_apart, arrears_case_id',
        'arrears_case_id', 'days_apart, received_date, bailiff_case_no', 'person_and_date'
    ) }}

),

matches as (

    select * from reference_matches
    union all
    select * from person_date_matches

),

-- the arrears cases that are a co-operative's petition (petitioned or sold by force); one that no
-- bailiff case matches is a petition the bailiff never received (cooperative_only)
petitioned_co_op_cases as (

    select * from co_op_cases
    where stage_code in ('BEGJAERT', 'TVANGSSOLGT')

),

final as (

    {{ bailiff_matching_rows(
        'matches', bailiff_cases='bailiff_cases', matchable_petitioner_type='BORETTSLAG',
        records='petitioned_co_op_cases', record_key='arrears_case_id', record_only_status='cooperative_only'
    ) }}

)

select * from final
