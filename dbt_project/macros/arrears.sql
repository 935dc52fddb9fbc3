{#
  Arrears per tenancy as of a date: the sum of the signed amounts of every rent-ledger posting
  with posted_date <= the date (sources.md: "A tenancy's arrears on a date = the sum of belop
  posted up to that date"). Returns a SELECT with one row per tenancy that has postings up to the
  date (tenancy_id, arrears_nok, postings_count, last_posted_date); a tenancy without postings has
  no row and should be read as 0.

  date_expression is any SQL expression of type DATE, evaluated once (not per row), e.g.
      {{ arrears_as_of("date '2007-06-30'") }}
      {{ arrears_as_of("(select max(delivery_date) from " ~ ref('stg_boei__tenancies') ~ ")") }}
  Use it as a CTE body or a subquery.
#}
{% macro arrears_as_of(date_expression, ledger=none) -%}
    {%- set ledger_relation = ledger if ledger is not none else ref('stg_boei__rent_ledger') -%}
    select
        tenancy_id,
        cast(sum(amount_nok) as decimal(12, 2)) as arrears_nok,
        count(*) as postings_count,
        max(posted_date) as last_posted_date
    from {{ ledger_relation }}
    where posted_date <= cast({{ date_expression }} as date)
    group by tenancy_id
{%- endmacro %}
