-- Every co-operative arrears case ever delivered (bbl), in its latest known version.
--
-- A bbl delivery holds the open cases and the cases closed since the previous delivery: a case
-- closed earlier is no longer in the latest delivery, yet its petition may still be in the
-- bailiff's full snapshot. Matching forced-sale cases therefore uses every case of the history,
-- each in the last version delivered. social_service_notified_date is the earliest date any
-- version gave (a later delivery cannot un-notify the social service).

with

versions as (

    select * from {{ ref('int_co_op_arrears_historized') }}

),

notified as (

    select
        arrears_case_id,
        min(social_service_notified_date) as first_social_service_notified_date,
        min(petitioned_date) as first_petitioned_date
    from versions
    group by arrears_case_id

),

latest_versions as (

    select * from versions
    qualify row_number() over (partition by arrears_case_id order by valid_from desc) = 1

),

final as (

    select
        latest_versions.arrears_case_id,
        latest_versions.housing_association_code,
        latest_versions.co_operative,
        latest_versions.person_key,
        latest_versions.district,
        latest_versions.children_count,
        latest_versions.arrears_nok,
        latest_versions.overdue_since,
        latest_versions.stage_code,
        latest_versions.stage_date,
        notified.first_social_service_notified_date as social_service_notified_date,
        coalesce(latest_versions.petitioned_date, notified.first_petitioned_date) as petitioned_date,
        latest_versions.sex,
        latest_versions.age_band,
        latest_versions.last_seen_delivery_date,
        latest_versions.is_current
    from latest_versions
    inner join notified
        on latest_versions.arrears_case_id = notified.arrears_case_id

)

select * from final
