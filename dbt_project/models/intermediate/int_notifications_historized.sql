-- History of the collector's notification list: one row per version of a notice (see macro historize_snapshot).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='notification_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_kemner__notifications'),
    key_columns=['notification_id'],
    content_columns=['tenancy_id', 'person_key', 'notified_date', 'arrears_nok', 'district',
                     'notification_type_code', 'sex', 'age_band'],
    version_id_name='notification_version_id'
) }}
