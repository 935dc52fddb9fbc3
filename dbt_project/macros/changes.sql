{#
  The change of a yearly count against the earlier year, as the published tables give it
  (published.md: changes are against the earlier year; percentages 0-100, unrounded):
  <column>_change and <column>_change_pct, from <column> and previous_<column> (a lag over the
  year). Null where there is no earlier year, and the percentage where the earlier year is 0.
#}
{% macro change_against_previous_year(column) -%}
        cast({{ column }} - previous_{{ column }} as bigint) as {{ column }}_change,
        {{ percentage_of(column ~ ' - previous_' ~ column, 'previous_' ~ column) }} as {{ column }}_change_pct
{%- endmacro %}
