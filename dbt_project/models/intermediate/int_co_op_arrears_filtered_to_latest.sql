-- Current state of co_op_arrears: the rows of the latest delivery of stg_bbl__arrears.
{{ latest_delivery_rows(ref('stg_bbl__arrears')) }}
