{#
  Fails when the value of `expression` (an aggregate over the model) differs from the single
  value returned by `compare_to` (any scalar SQL subquery), e.g. row counts that must agree.
#}
{% test equal_to_query(model, expression, compare_to) %}

with

actual as (

    select {{ expression }} as actual_value from {{ model }}

),

expected as (

    select ({{ compare_to }}) as expected_value

)

select *
from actual
cross join expected
where actual_value is distinct from expected_value

{% endtest %}
