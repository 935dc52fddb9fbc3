-- Current state of account_lines: the rows of the latest delivery of stg_regnskap__ledger.
{{ latest_delivery_rows(ref('stg_regnskap__ledger')) }}
