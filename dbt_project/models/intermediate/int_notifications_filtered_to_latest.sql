-- Current state of notifications: the rows of the latest delivery of stg_kemner__notifications.
{{ latest_delivery_rows(ref('stg_kemner__notifications')) }}
