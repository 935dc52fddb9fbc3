-- History of the project's case register: one row per version of a case (see macro historize_snapshot).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='case_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_prosjekt__cases'),
    key_columns=['case_id'],
    content_columns=['tenancy_id', 'person_key', 'opened_date', 'closed_date', 'district',
                     'known_to_social_service_code', 'children_count', 'income_source_code', 'claim_nok',
                     'outcome_code', 'solution_code', 'action_codes', 'sex', 'age_band'],
    version_id_name='case_version_id'
) }}
