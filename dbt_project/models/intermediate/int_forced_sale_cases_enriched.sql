-- One row per forced-sale case at the bailiff plus one per co-operative petition the bailiff never
-- received (int_forced_sales_matched_to_co_op_arrears), with both sides' facts:
--   * petitioner, object, outcome: the bailiff's (code lists forced_sale_petitioner_type, object_type,
--     forced_sale_outcome); for a co-operative petition the bailiff never received: cooperative,
--     co_op_share, and the arrears case's stage (BEGJAERT pending, TVANGSSOLGT sold on trinn_dato);
--   * housing association, district, children and arrears: the arrears case's, when there is one;
--     otherwise district and arrears of the person's latest collector notice of type TVANGSSALG;
--   * petition_date: the date the petition was received by the bailiff, or the co-operative's
--     begjaert_dato when the bailiff never received it;
--   * social_service_notified_date: the earliest notice to the district social service dated before
--     petition_date - the arrears case's sosialtjeneste_varslet, or any collector notice of type
--     TVANGSSALG for the same person (every notice ever delivered: the collector's list is a
--     snapshot, and an old notice may have left it). notice_days_before_petition is the difference.

with

matches as (

    select * from {{ ref('int_forced_sales_matched_to_co_op_arrears') }}

),

bailiff_cases as (

    select * from {{ ref('int_forced_sales_filtered_to_latest') }}

),

co_op_cases as (

    select * from {{ ref('int_co_op_arrears_latest_known') }}

),

forced_sale_notices as (

    -- every collector notice of type TVANGSSALG ever delivered, in its latest version
    select
        notification_id,
        person_key,
        notified_date,
        district,
        arrears_nok
    from {{ ref('int_notifications_historized') }}
    where notification_type_code = 'TVANGSSALG'
    qualify row_number() over (partition by notification_id order by valid_from desc) = 1

),

petitioner_types as (

    {{ code_labels('forced_sale_petitioner_type') }}

),

object_types as (

    {{ code_labels('object_type') }}

),

outcomes as (

    {{ code_labels('forced_sale_outcome') }}

),

stages as (

    {{ code_labels('co_op_stage') }}

),

joined as (

    select
        matches.bailiff_case_no,
        matches.arrears_case_id,
        matches.match_status,
        matches.match_method,
        coalesce(petitioner_types.label, 'cooperative') as petitioner_type,
        co_op_cases.housing_association_code as housing_association,
        co_op_cases.co_operative,
        case
            when bailiff_cases.bailiff_case_no is not null then object_types.label
            else 'co_op_share'
        end as object_type,
        coalesce(bailiff_cases.person_key, co_op_cases.person_key) as person_key,
        co_op_cases.district as co_op_district,
        co_op_cases.children_count,
        bailiff_cases.received_date,
        co_op_cases.petitioned_date,
        coalesce(bailiff_cases.received_date, co_op_cases.petitioned_date) as petition_date,
        case
            when bailiff_cases.bailiff_case_no is not null then outcomes.label
            when co_op_cases.stage_code = 'TVANGSSOLGT' then 'sold'
            else 'pending'
        end as outcome,
        case
            when bailiff_cases.bailiff_case_no is not null then bailiff_cases.outcome_date
            when co_op_cases.stage_code = 'TVANGSSOLGT' then co_op_cases.stage_date
        end as outcome_date,
        co_op_cases.arrears_nok as co_op_arrears_nok,
        co_op_cases.social_service_notified_date as co_op_notified_date,
        co_op_cases.stage_code as co_op_stage_code,
        stages.label as co_op_stage,
        bailiff_cases.petitioner_type_code,
        bailiff_cases.outcome_code as bailiff_outcome_code
    from matches
    left join bailiff_cases
        on matches.bailiff_case_no = bailiff_cases.bailiff_case_no
    left join co_op_cases
        on matches.arrears_case_id = co_op_cases.arrears_case_id
    left join petitioner_types
        on bailiff_cases.petitioner_type_code = petitioner_types.code
    left join object_types
        on bailiff_cases.object_type_code = object_types.code
    left join outcomes
        on bailiff_cases.outcome_code = outcomes.code
    left join stages
        on co_op_cases.stage_code = stages.code

),

notice_dates as (

    -- every notice to the social service that could precede a case's petition
    select joined.bailiff_case_no, joined.arrears_case_id, joined.co_op_notified_date as notified_date
    from joined
    where joined.co_op_notified_date is not null

    union all

    select joined.bailiff_case_no, joined.arrears_case_id, forced_sale_notices.notified_date
    from joined
    inner join forced_sale_notices
        on joined.person_key = forced_sale_notices.person_key

),

first_notices as (

    select
        notice_dates.bailiff_case_no,
        notice_dates.arrears_case_id,
        min(notice_dates.notified_date) as social_service_notified_date
    from notice_dates
    inner join joined
        on notice_dates.bailiff_case_no is not distinct from joined.bailiff_case_no
            and notice_dates.arrears_case_id is not distinct from joined.arrears_case_id
    where notice_dates.notified_date < joined.petition_date
    group by notice_dates.bailiff_case_no, notice_dates.arrears_case_id

),

latest_collector_notices as (

    -- the person's latest collector notice of type TVANGSSALG: district and arrears when there is
    -- no arrears case
    select * from forced_sale_notices
    qualify row_number() over (partition by person_key order by notified_date desc, notification_id desc) = 1

),

final as (

    select
        joined.bailiff_case_no,
        joined.arrears_case_id,
        joined.petitioner_type,
        joined.housing_association,
        joined.co_operative,
        joined.object_type,
        joined.person_key,
        coalesce(joined.co_op_district, latest_collector_notices.district) as district,
        joined.children_count,
        joined.received_date,
        joined.petitioned_date,
        joined.petition_date,
        joined.outcome,
        joined.outcome_date,
        joined.outcome = 'sold' as is_forced_sale,
        cast(coalesce(joined.co_op_arrears_nok, latest_collector_notices.arrears_nok) as decimal(12, 2)) as arrears_nok,
        first_notices.social_service_notified_date,
        cast(datediff('day', first_notices.social_service_notified_date, joined.petition_date) as integer)
            as notice_days_before_petition,
        joined.match_status,
        joined.match_method,
        joined.co_op_stage,
        joined.petitioner_type_code,
        joined.bailiff_outcome_code
    from joined
    left join first_notices
        on joined.bailiff_case_no is not distinct from first_notices.bailiff_case_no
            and joined.arrears_case_id is not distinct from first_notices.arrears_case_id
    left join latest_collector_notices
        on joined.person_key = latest_collector_notices.person_key

)

select * from final
