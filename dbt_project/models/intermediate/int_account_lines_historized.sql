-- History of the project's accounts: one row per version of an account line (see macro historize_snapshot).
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='account_line_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_regnskap__ledger'),
    key_columns=['account'],
    content_columns=['account_text', 'amount_nok'],
    version_id_name='account_line_version_id'
) }}
