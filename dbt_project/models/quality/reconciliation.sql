-- Reconciliation evidence for auditors (quality/reconciliation): one row per finding that the
-- sources disagree, that a rule of conduct was broken, or that a figure printed in the 2008
-- report differs from what the warehouse computes. Records are identified by pseudonymised keys
-- only (petition_id, bailiff_case_no, case_id, arrears_case_id, tenancy_id, person_key); never by
-- names or ids. bailiff_case_no is the bailiff's case number of an eviction case or, for the
-- forced-sale checks, of a forced-sale case.
--
-- severity: error   = a rule of conduct broken (petition without the complaints board's approval);
--           warning = the sources disagree;
--           info    = worth knowing (serial petitions, report figures computed differently, the
--                     match rates of the forced-sale cases).

with

petitions as (

    select * from {{ ref('int_petitions_enriched') }}

),

collector_petitions as (

    select * from {{ ref('int_petitions_filtered_to_latest') }}

),

compatible_statuses as (

    select * from {{ ref('status_compatibility') }}

),

project_cases as (

    select * from {{ ref('int_project_cases_filtered_to_latest') }}

),

bailiff_case_numbers as (

    -- every case number the bailiff ever delivered
    select bailiff_case_no from {{ ref('int_bailiff_cases_historized') }}

),

registered_tenancies as (

    select distinct tenancy_id from {{ ref('stg_boei__tenancies') }}

),

forced_sale_cases as (

    select * from {{ ref('int_forced_sale_cases_enriched') }}

),

report_comparison as (

    -- The one comparison with the 2008 report (published/report_comparison): its rows that do not
    -- agree are this check's findings.
    select * from {{ ref('report_comparison') }}

),

collector_petition_not_at_bailiff as (

    select
        'collector_petition_not_at_bailiff' as check_name,
        'warning' as severity,
        {{ finding_keys(petition_id='petition_id', tenancy_id='tenancy_id', person_key='person_key') }},
        format(
            'The collector filed petition {} on {} (status {}), but the bailiff has no case for it{}.',
            petition_id, strftime(filed_date, '%Y-%m-%d'), collector_status_code,
            case
                when noted_bailiff_case_no is not null
                    then format(' (the collector noted case number {}, which the bailiff does not have as a KOMMUNE case)', noted_bailiff_case_no)
                else ''
            end
        ) as detail
    from (
        select petitions.*, collector_petitions.bailiff_case_no as noted_bailiff_case_no
        from petitions
        left join collector_petitions
            on petitions.petition_id = collector_petitions.petition_id
        where petitions.match_status = 'collector_only'
    ) as unmatched

),

bailiff_case_without_collector_petition as (

    select
        'bailiff_case_without_collector_petition' as check_name,
        'warning' as severity,
        {{ finding_keys(bailiff_case_no='bailiff_case_no', person_key='person_key') }},
        format(
            'The bailiff received case {} from the municipality (KOMMUNE) on {}, outcome {}, but no collector petition matches it by reference or case number.',
            bailiff_case_no, strftime(received_date, '%Y-%m-%d'), bailiff_outcome
        ) as detail
    from petitions
    where match_status = 'bailiff_only'

),

status_disagreement as (

    select
        'status_disagreement' as check_name,
        'warning' as severity,
        {{ finding_keys(
            petition_id='petitions.petition_id', bailiff_case_no='petitions.bailiff_case_no',
            tenancy_id='petitions.tenancy_id', person_key='petitions.person_key'
        ) }},
        format(
            'The collector reports {} ({}, {}) but the bailiff reports {} ({}, {}).',
            petitions.collector_status_code, petitions.collector_outcome,
            coalesce(strftime(petitions.collector_status_date, '%Y-%m-%d'), 'no date'),
            petitions.bailiff_outcome_code, petitions.bailiff_outcome,
            coalesce(strftime(petitions.bailiff_outcome_date, '%Y-%m-%d'), 'no date')
        ) as detail
    from petitions
    left join compatible_statuses
        on petitions.collector_status_code = compatible_statuses.collector_status_code
            and petitions.bailiff_outcome_code = compatible_statuses.bailiff_outcome_code
    where petitions.match_status = 'matched'
        and compatible_statuses.collector_status_code is null

),

petition_without_board_approval as (

    select
        'petition_without_board_approval' as check_name,
        'error' as severity,
        -- the case number the collector noted, only when the bailiff has that case: a valid petition
        -- may note a number the bailiff does not know (its key is the petition)
        {{ finding_keys(
            petition_id='petition_id',
            bailiff_case_no='case when bailiff_case_no in (select bailiff_case_no from bailiff_case_numbers) then bailiff_case_no end',
            tenancy_id='tenancy_id', person_key='person_key'
        ) }},
        format(
            'Petition filed on {} without approval by the debt-collection complaints board (required for petitions filed from {} on).',
            strftime(filed_date, '%Y-%m-%d'), '{{ var("board_approval_required_from") }}'
        ) as detail
    from collector_petitions
    where filed_date >= date '{{ var("board_approval_required_from") }}'
        and board_approved_date is null

),

petitions_per_person_year as (

    select
        *,
        year(coalesce(filed_date, received_date)) as petition_year,
        count(*) over (partition by person_key, year(coalesce(filed_date, received_date))) as petitions_in_year,
        row_number() over (
            partition by person_key, year(coalesce(filed_date, received_date))
            order by coalesce(filed_date, received_date), bailiff_case_no, petition_id
        ) as petition_in_year_number
    from petitions

),

serial_petitions as (

    select
        'serial_petitions' as check_name,
        'info' as severity,
        {{ finding_keys(
            petition_id='petition_id', bailiff_case_no='bailiff_case_no', tenancy_id='tenancy_id', person_key='person_key'
        ) }},
        format(
            'The same person was petitioned {} times in {}; this is petition {} of {} ({} petition, {} on {}).',
            petitions_in_year, petition_year, petition_in_year_number, petitions_in_year, petitioner_type,
            case when filed_date is not null then 'filed' else 'received' end,
            strftime(coalesce(filed_date, received_date), '%Y-%m-%d')
        ) as detail
    from petitions_per_person_year
    where petitions_in_year > 1

),

project_case_tenancy_not_in_register as (

    select
        'project_case_tenancy_not_in_register' as check_name,
        'warning' as severity,
        {{ finding_keys(
            case_id='project_cases.case_id', tenancy_id='project_cases.tenancy_id', person_key='project_cases.person_key'
        ) }},
        format(
            'Project case {} refers to tenancy {}, which is in no delivery of the housing register.',
            project_cases.case_id, project_cases.tenancy_id
        ) as detail
    from project_cases
    left join registered_tenancies
        on project_cases.tenancy_id = registered_tenancies.tenancy_id
    where registered_tenancies.tenancy_id is null

),

report_figure_differs as (

    select
        'report_figure_differs' as check_name,
        -- The report's own arithmetic (reproduced from the warehouse's counts) is worth knowing;
        -- a figure that differs for no known reason, or is not computed at all, is a warning.
        case when status = 'report_arithmetic' then 'info' else 'warning' end as severity,
        {{ finding_keys() }},
        format(
            '2008 report, {}: {} is printed as "{}". {}',
            figure, description, printed_as, coalesce(explanation, 'The warehouse figure is suppressed (disclosure control).')
        ) as detail
    from report_comparison
    where status <> 'agrees'

),

co_op_petition_not_at_bailiff as (

    select
        'co_op_petition_not_at_bailiff' as check_name,
        'warning' as severity,
        {{ finding_keys(arrears_case_id='arrears_case_id', person_key='person_key') }},
        format(
            'Housing association {} reports arrears case {} as {} (forced sale petitioned on {}), but the bailiff has no forced-sale case for it by reference or by person and date.',
            housing_association, arrears_case_id, co_op_stage, coalesce(strftime(petitioned_date, '%Y-%m-%d'), 'no date')
        ) as detail
    from forced_sale_cases
    where match_status = 'cooperative_only'

),

forced_sale_without_co_op_arrears as (

    select
        'forced_sale_without_co_op_arrears' as check_name,
        'warning' as severity,
        {{ finding_keys(bailiff_case_no='bailiff_case_no', person_key='person_key') }},
        format(
            'The bailiff received forced-sale case {} from a housing co-operative (BORETTSLAG) on {}, outcome {}, but no arrears case of the housing associations matches it by reference or by person and date.',
            bailiff_case_no, strftime(received_date, '%Y-%m-%d'), outcome
        ) as detail
    from forced_sale_cases
    where match_status = 'bailiff_only'

),

forced_sale_without_notice as (

    -- the notification routine: the district social service is notified before a co-operative or the
    -- municipality petitions for a forced sale; an error once the routine applies, a warning before
    select
        'forced_sale_without_notice' as check_name,
        case
            when petition_date >= date '{{ var("forced_sale_notice_routine_from") }}' then 'error'
            else 'warning'
        end as severity,
        {{ finding_keys(bailiff_case_no='bailiff_case_no', arrears_case_id='arrears_case_id', person_key='person_key') }},
        format(
            'A forced sale was petitioned by the {} on {} ({}) without the district social service being notified first (no sosialtjeneste_varslet and no collector notice of type TVANGSSALG for the person before that date){}.',
            petitioner_type, strftime(petition_date, '%Y-%m-%d'),
            case when bailiff_case_no is not null then 'received by the bailiff' else 'petitioned, not received by the bailiff' end,
            case
                when petition_date >= date '{{ var("forced_sale_notice_routine_from") }}'
                    then ', after the notification routine of {{ var("forced_sale_notice_routine_from") }}'
                else ''
            end
        ) as detail
    from forced_sale_cases
    where petitioner_type in ('cooperative', 'municipality')
        and social_service_notified_date is null

),

forced_sale_match_counts as (

    select
        count(case when match_status = 'matched' then 1 end) as matched,
        count(case when match_status = 'matched' and match_method = 'reference' then 1 end) as by_reference,
        count(case when match_status = 'matched' and match_method = 'person_and_date' then 1 end) as by_person_and_date,
        count(case when match_status = 'bailiff_only' then 1 end) as bailiff_only,
        count(case when match_status = 'cooperative_only' then 1 end) as cooperative_only
    from forced_sale_cases

),

forced_sale_match_rate as (

    select
        'forced_sale_match_rate' as check_name,
        'info' as severity,
        {{ finding_keys() }},
        detail
    from (
        select
            format(
                'Bailiff forced-sale cases from housing co-operatives matched to an arrears case: {} of {} ({} %): {} by reference, {} by person and date; {} without an arrears case.',
                matched, matched + bailiff_only, round(100.0 * matched / (matched + bailiff_only), 1),
                by_reference, by_person_and_date, bailiff_only
            ) as detail
        from forced_sale_match_counts
        where matched + bailiff_only > 0

        union all

        select
            format(
                'Co-operative petitions for forced sale (arrears cases petitioned) matched to a bailiff case: {} of {} ({} %); {} the bailiff never received.',
                matched, matched + cooperative_only, round(100.0 * matched / (matched + cooperative_only), 1),
                cooperative_only
            ) as detail
        from forced_sale_match_counts
        where matched + cooperative_only > 0
    ) as rates

),

findings as (

    select * from collector_petition_not_at_bailiff
    union all
    select * from bailiff_case_without_collector_petition
    union all
    select * from status_disagreement
    union all
    select * from petition_without_board_approval
    union all
    select * from serial_petitions
    union all
    select * from project_case_tenancy_not_in_register
    union all
    select * from report_figure_differs
    union all
    select * from co_op_petition_not_at_bailiff
    union all
    select * from forced_sale_without_co_op_arrears
    union all
    select * from forced_sale_without_notice
    union all
    select * from forced_sale_match_rate

),

final as (

    select
        check_name as "check",
        severity,
        petition_id,
        bailiff_case_no,
        case_id,
        arrears_case_id,
        cast(tenancy_id as integer) as tenancy_id,
        person_key,
        detail
    from findings

)

select * from final
order by "check", petition_id, bailiff_case_no, case_id, arrears_case_id, detail
