-- Current state of petitions: the rows of the latest delivery of stg_kemner__petitions.
{{ latest_delivery_rows(ref('stg_kemner__petitions')) }}
