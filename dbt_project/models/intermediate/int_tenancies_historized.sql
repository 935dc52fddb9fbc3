-- History of the housing register: one row per version of a tenancy (see macro historize_snapshot).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='tenancy_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_boei__tenancies'),
    key_columns=['tenancy_id'],
    content_columns=['dwelling_id', 'person_key', 'district', 'dwelling_type_code', 'household_size',
                     'children_count', 'monthly_rent_nok', 'start_date', 'end_date', 'sex', 'age_band'],
    version_id_name='tenancy_version_id'
) }}
