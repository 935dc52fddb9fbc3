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

{#
  The rows of a yearly table with previous_<column> beside each of the given columns: the value of
  the earlier year of the same series (`series`: the columns a series is partitioned by, e.g.
  source), null in a series' first year. What change_against_previous_year reads; the spines run
  without gaps, so the earlier row is the earlier year. Returns a SELECT for a CTE.
#}
{% macro with_previous_year(relation, columns, series) -%}
    select
        *,
        {%- for column in columns %}
        lag({{ column }}) over by_series as previous_{{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    window by_series as (partition by {{ series }} order by year)
{%- endmacro %}
