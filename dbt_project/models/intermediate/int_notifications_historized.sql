-- History of the collector's notification list: one row per version of a notice (see macro historize_snapshot).
{{ historize_snapshot(
    relation=ref('stg_kemner__notifications'),
    key_columns=['notification_id'],
    content_columns=['tenancy_id', 'person_key', 'notified_date', 'arrears_nok', 'district',
                     'notification_type_code', 'sex', 'age_band'],
    version_id_name='notification_version_id'
) }}
