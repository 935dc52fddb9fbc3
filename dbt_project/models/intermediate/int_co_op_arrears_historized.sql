-- History of the co-operatives' arrears cases (bbl): one row per version of a case (see macro historize_snapshot).
-- Stage of every case on a date d: where valid_from <= d and (valid_to is null or d < valid_to) (macro valid_on).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='arrears_case_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_bbl__arrears'),
    key_columns=['arrears_case_id'],
    content_columns=['housing_association_code', 'co_operative', 'share_no', 'person_key', 'district',
                     'children_count', 'arrears_nok', 'overdue_since', 'stage_code', 'stage_date',
                     'social_service_notified_date', 'petitioned_date', 'sex', 'age_band'],
    version_id_name='arrears_case_version_id'
) }}
