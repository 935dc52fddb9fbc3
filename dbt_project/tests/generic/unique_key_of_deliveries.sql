{#
  The key (combination_of_columns) of a staging model occurs once among all its deliveries'
  rows (nulls compare equal). In an incremental build only the keys of the deliveries not yet
  built are looked for among all rows (macro deliveries_not_yet_built): the earlier deliveries'
  keys were unique when that build tested them, and they are unchanged. A failure returns each
  key that occurs more than once and how often.
#}
{% test unique_key_of_deliveries(model, combination_of_columns) %}

{%- set new_rows = deliveries_not_yet_built(model) %}

with

keyed_rows as (

    select {{ combination_of_columns | join(', ') }}
    from {{ model }} as delivered_rows
    {%- if new_rows %}
    semi join (
        select distinct {{ combination_of_columns | join(', ') }}
        from {{ model }}
        where {{ new_rows }}
    ) as new_keys
        on {% for column in combination_of_columns -%}
        delivered_rows.{{ column }} is not distinct from new_keys.{{ column }}{{ " and " if not loop.last }}
        {%- endfor %}
    {%- endif %}

)

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from keyed_rows
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
