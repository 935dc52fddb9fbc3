{#
  Every listed SQL expression is true (not false, not null) in every row of the model.

  One scan for all the row rules of a model, instead of one expression_is_true test (one
  query, one dbt node, one Dagster check) per rule. A failing result has one row per rule
  that is broken: the expression and how many rows break it; no data value is returned.
  A rule that needs its own `where:` stays a separate expression_is_true test.
#}
{% test expressions_are_true(model, expressions) %}

with

broken_counts as (

    select
        {%- for expression in expressions %}
        count(*) filter (where not coalesce(({{ expression }}), false)) as rule_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_rule as (

    {%- for expression in expressions %}
    select
        {{ loop.index }} as rule_number,
        '{{ expression | trim | replace("'", "''") }}' as expression,
        rule_{{ loop.index }} as broken_rows
    from broken_counts
    {{ "union all" if not loop.last }}
    {%- endfor %}

)

select
    rule_number,
    expression,
    broken_rows
from per_rule
where broken_rows > 0

{% endtest %}
