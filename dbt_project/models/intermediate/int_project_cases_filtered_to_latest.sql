-- Current state of project_cases: the rows of the latest delivery of stg_prosjekt__cases.
{{ latest_delivery_rows(ref('stg_prosjekt__cases')) }}
