-- Current state of tenancies: the rows of the latest delivery of stg_boei__tenancies.
-- A view, not a table: every refresh with a register delivery rebuilt it, writing the whole
-- register into the database (at 10 M postings 970 000 rows, 1.1-1.7 s of a monthly build), for
-- its few readers, which read only the latest delivery's file through it (latest_delivery_rows).
{{ config(materialized='view') }}
{{ latest_delivery_rows(ref('stg_boei__tenancies')) }}
