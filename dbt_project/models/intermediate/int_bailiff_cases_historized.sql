-- History of the bailiff's cases: one row per version of a case (see macro historize_snapshot).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='bailiff_case_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_namsfogd__cases'),
    key_columns=['bailiff_case_no'],
    content_columns=['petitioner_reference', 'person_key', 'received_date', 'petitioner_type_code',
                     'scheduled_date', 'outcome_code', 'outcome_date', 'sex', 'age_band'],
    version_id_name='bailiff_case_version_id'
) }}
