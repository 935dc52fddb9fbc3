{#
  Every listed column of the model has a value in every row.

  One scan for all the required columns of a model, instead of one dbt not_null test (one query,
  one dbt node, one Dagster check) per column. A failing result names each column that has nulls
  and how many rows lack it; no data value is returned.
#}
{% test not_null_columns(model, columns) %}

with

null_counts as (

    select
        {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_column as (

    unpivot null_counts
    on columns(*)
    into name column_name value rows_without_value

)

select
    column_name,
    rows_without_value
from per_column
where rows_without_value > 0

{% endtest %}
