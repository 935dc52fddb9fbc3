-- History of the bailiff's cases: one row per version of a case (see macro historize_snapshot).
{{ historize_snapshot(
    relation=ref('stg_namsfogd__cases'),
    key_columns=['bailiff_case_no'],
    content_columns=['petitioner_reference', 'person_key', 'received_date', 'petitioner_type_code',
                     'scheduled_date', 'outcome_code', 'outcome_date', 'sex', 'age_band'],
    version_id_name='bailiff_case_version_id'
) }}
