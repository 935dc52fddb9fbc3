-- Households of the latest housing-register snapshot with dwelling-type label, arrears on the
-- snapshot date and the report's priority rule: children in the household, a service or
-- social-security dwelling, or a main tenant aged 67 or over.

with

tenancies as (

    select * from {{ ref('int_tenancies_filtered_to_latest') }}

),

dwelling_types as (

    {{ code_labels('dwelling_type') }}

),

arrears as (

    select * from {{ ref('int_tenancy_arrears_on_snapshot_date') }}

),

joined as (

    select
        tenancies.tenancy_id,
        tenancies.person_key,
        tenancies.district,
        dwelling_types.label as dwelling_type,
        tenancies.household_size,
        tenancies.children_count,
        tenancies.sex as head_sex,
        tenancies.age_band as head_age_band,
        tenancies.monthly_rent_nok,
        tenancies.start_date,
        tenancies.end_date,
        coalesce(arrears.arrears_nok, 0) as arrears_nok,
        tenancies.delivery_date as snapshot_date
    from tenancies
    left join dwelling_types
        on tenancies.dwelling_type_code = dwelling_types.code
    left join arrears
        on tenancies.tenancy_id = arrears.tenancy_id

),

prioritized as (

    select
        *,
        children_count > 0 as has_children,
        dwelling_type in ('service', 'social_security') as in_service_or_social_security_dwelling,
        head_age_band = '67+' as head_is_elderly
    from joined

),

final as (

    select
        tenancy_id,
        person_key,
        district,
        dwelling_type,
        household_size,
        children_count,
        head_sex,
        head_age_band,
        monthly_rent_nok,
        start_date,
        end_date,
        cast(arrears_nok as decimal(12, 2)) as arrears_nok,
        (has_children or in_service_or_social_security_dwelling or head_is_elderly) as priority,
        has_children,
        in_service_or_social_security_dwelling,
        head_is_elderly,
        snapshot_date
    from prioritized

)

select * from final
