{#
  Claim band of an amount in NOK (published.md, "Bands and derived values"):
  under 5000, 5000-9999, 10000-19999, 20000-29999, 30000+.
  Lower bounds are inclusive, upper bounds exclusive, so 9999.99 is '5000-9999' and 10000.00 is
  '10000-19999'. A null amount has no band.
  This is the only place the claim bands are defined.
#}
{% macro claim_band(amount_expression) -%}
    case
        when {{ amount_expression }} is null then null
        when {{ amount_expression }} < 5000 then 'under 5000'
        when {{ amount_expression }} < 10000 then '5000-9999'
        when {{ amount_expression }} < 20000 then '10000-19999'
        when {{ amount_expression }} < 30000 then '20000-29999'
        else '30000+'
    end
{%- endmacro %}

{# The claim bands in order, for spines and accepted_values tests. #}
{% macro claim_band_values() -%}
    {{ return(['under 5000', '5000-9999', '10000-19999', '20000-29999', '30000+']) }}
{%- endmacro %}

{#
  The age bands of published.md, in order. The band itself is derived from the national id at
  ingestion (the id never reaches the warehouse), at the date of each row's event.
#}
{% macro age_band_values() -%}
    {{ return(['under 30', '30-39', '40-49', '50-59', '60-66', '67+']) }}
{%- endmacro %}

{# A `values (...), (...)` list of bands with their sort order, for use as a spine. #}
{% macro band_spine(values, column_name) -%}
    select * from (
        values
        {%- for value in values %}
        ('{{ value }}', {{ loop.index }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as spine ({{ column_name }}, sort_order)
{%- endmacro %}
