-- History of the bailiff's forced-sale cases (namsfogd/forced_sales.xlsx): one row per version of a case
-- (see macro historize_snapshot). The history starts with the bailiff's first forced-sale extract.
-- Incremental: a new delivery merges in only its versions (macro historize_snapshot).
{{ config(materialized='incremental', incremental_strategy='history_versions', unique_key='forced_sale_version_id') }}
{{ historize_snapshot(
    relation=ref('stg_namsfogd__forced_sales'),
    key_columns=['bailiff_case_no'],
    content_columns=['received_date', 'petitioner_type_code', 'petitioner_reference', 'person_key',
                     'object_type_code', 'outcome_code', 'outcome_date', 'sex', 'age_band'],
    version_id_name='forced_sale_version_id'
) }}
