{#
  The key (combination_of_columns) of a staging model occurs once among all its deliveries'
  rows (nulls compare equal): unique_combination_of_columns, over fewer rows in an incremental
  build. There only the keys of the deliveries not yet built are looked for among all rows
  (macro deliveries_not_yet_built): the earlier deliveries' keys were unique when that build
  tested them, and they are unchanged. A failure returns each key that occurs more than once and
  how often.
#}
{% test unique_key_of_deliveries(model, combination_of_columns) %}

{%- set new_rows = deliveries_not_yet_built(model) %}
{%- if not new_rows %}
{{ test_unique_combination_of_columns(model, combination_of_columns) }}
{%- else %}

with

keyed_rows as (

    select {{ combination_of_columns | join(', ') }}
    from {{ model }} as delivered_rows
    semi join (
        select distinct {{ combination_of_columns | join(', ') }}
        from {{ model }}
        where {{ new_rows }}
    ) as new_keys
        on {% for column in combination_of_columns -%}
        delivered_rows.{{ column }} is not distinct from new_keys.{{ column }}{{ " and " if not loop.last }}
        {%- endfor %}

)

{{ test_unique_combination_of_columns('keyed_rows', combination_of_columns) }}
{%- endif %}

{% endtest %}
