with

cases as (

    select * from {{ ref('int_forced_sale_cases_enriched') }}

),

final as (

    select
        bailiff_case_no,
        arrears_case_id,
        petitioner_type,
        housing_association,
        object_type,
        person_key,
        district,
        cast(children_count as integer) as children_count,
        received_date,
        outcome,
        outcome_date,
        is_forced_sale,
        cast(arrears_nok as decimal(12, 2)) as arrears_nok,
        social_service_notified_date,
        cast(notice_days_before_petition as integer) as notice_days_before_petition,
        match_status,
        match_method,
        petitioned_date,
        petition_date,
        co_op_stage
    from cases

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by bailiff_case_no nulls last, arrears_case_id nulls last
