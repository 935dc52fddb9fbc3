-- One row per co-operative arrears case in the latest bbl delivery, with English labels, whole
-- months overdue on the delivery date and the priority rule of the warning lists (children in the
-- household, or the member 67 or over on the delivery date).

with

arrears as (

    select * from {{ ref('int_co_op_arrears_filtered_to_latest') }}

),

stages as (

    {{ code_labels('co_op_stage') }}

),

housing_associations as (

    {{ code_labels('housing_association') }}

),

final as (

    select
        arrears.arrears_case_id,
        housing_associations.label as housing_association,
        arrears.co_operative,
        arrears.person_key,
        arrears.district,
        cast(arrears.children_count as integer) as children_count,
        cast(arrears.arrears_nok as decimal(12, 2)) as arrears_nok,
        arrears.overdue_since,
        -- whole months: date_sub counts complete months (2007-01-15 -> 2007-03-14 is 1)
        cast(date_sub('month', arrears.overdue_since, arrears.delivery_date) as integer) as months_overdue,
        stages.label as stage,
        arrears.stage_date,
        arrears.social_service_notified_date,
        (arrears.children_count > 0 or arrears.age_band = '67+') as priority,
        arrears.petitioned_date,
        arrears.sex,
        arrears.age_band,
        arrears.delivery_date as snapshot_date
    from arrears
    left join stages
        on arrears.stage_code = stages.code
    left join housing_associations
        on arrears.housing_association_code = housing_associations.code

)

-- A stable order, so an unchanged refresh writes identical files.
select * from final
order by arrears_case_id
