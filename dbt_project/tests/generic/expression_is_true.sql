{#
  Fails for every row where the SQL expression is not true (false or null).
  Model level:  - expression_is_true: {arguments: {expression: "a <= b"}}
  Column level: the expression is applied to the column, e.g. expression: ">= 0".
  Use the native `config: where:` to restrict the rows.
#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
{% if column_name is none %}
where not coalesce(({{ expression }}), false)
{% else %}
where not coalesce(({{ column_name }} {{ expression }}), false)
{% endif %}

{% endtest %}
