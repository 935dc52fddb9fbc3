-- History of the collector's petitions: one row per version of a petition (see macro historize_snapshot).
-- Status of every petition on a date d: where valid_from <= d and (valid_to is null or d < valid_to) (macro valid_on).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='petition_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_kemner__petitions'),
    key_columns=['petition_id'],
    content_columns=['tenancy_id', 'person_key', 'bailiff_case_no', 'filed_date', 'claim_nok', 'status_code',
                     'status_date', 'board_approved_date', 'sex', 'age_band'],
    version_id_name='petition_version_id'
) }}
