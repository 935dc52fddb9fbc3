{#
  A percentage as the published tables give it (published.md: percentages are 0-100 and
  unrounded): 100 x numerator / denominator as a double, null where the denominator is 0 (or
  null). A macro because nearly every published model computes shares this way and the guard
  against a zero denominator, the 100.0 that keeps integer counts from dividing as integers and
  the type are easy to get subtly different in one copy.
  numerator and denominator are SQL expressions; each is parenthesised, so `a - b` is safe.
#}
{% macro percentage_of(numerator, denominator) -%}
    cast(100.0 * ({{ numerator }}) / nullif({{ denominator }}, 0) as double)
{%- endmacro %}

{# A row's share of the column's total over all rows of the result, as a percentage. #}
{% macro share_of_total(column) -%}
    {{ percentage_of(column, 'sum(' ~ column ~ ') over ()') }}
{%- endmacro %}
