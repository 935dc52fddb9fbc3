-- History of the project's accounts: one row per version of an account line (see macro historize_snapshot).
{{ historize_snapshot(
    relation=ref('stg_regnskap__ledger'),
    key_columns=['account'],
    content_columns=['account_text', 'amount_nok'],
    version_id_name='account_line_version_id'
) }}
