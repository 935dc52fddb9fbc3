-- Current state of tenancies: the rows of the latest delivery of stg_boei__tenancies.
{{ latest_delivery_rows(ref('stg_boei__tenancies')) }}
