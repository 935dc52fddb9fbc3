-- Current state of bailiff_cases: the rows of the latest delivery of stg_namsfogd__cases.
{{ latest_delivery_rows(ref('stg_namsfogd__cases')) }}
