{#
  Every row of the model keeps the model's row rules: one scan, one dbt node and one Dagster
  check for all of them, instead of one per column or rule (each dbt node costs ~30 ms of dbt's
  own time however small its table, and each check its Dagster events).

  not_null         columns that must have a value
  accepted_values  {column: [values]}: the column's value is one of them (strings are quoted)
  code_lists       {column: code list}: the column's value is a code of that list, read from the
                   seeds at run time (`code_lists`, or `districts` for the list named "district")
  code_list_labels {column: code list}: the value is one of the list's English labels (the
                   `label` of the `code_lists` seed), as the curated tables carry them
  list_columns     columns of code_lists holding a list (varchar[]), checked element by element
  expressions      SQL expressions that are true (not false, not null) in every row

  Values and codes judge only rows with a value (a required column is in not_null). A failing
  result has one row per broken rule: its kind, the column or expression, and how many rows break
  it; no data value is returned. A rule that needs its own `where:` or severity is a test of its
  own.
#}
{% test row_rules(
    model,
    not_null=[],
    accepted_values={},
    code_lists={},
    code_list_labels={},
    list_columns=[],
    expressions=[]
) %}

{%- set rules = [] %}
{%- for column in not_null %}
    {%- do rules.append(('not_null', column, adapter.quote(column) ~ ' is null')) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set literals = [] %}
    {%- for value in values %}
        {%- do literals.append(("'" ~ (value | string | replace("'", "''")) ~ "'") if value is string else (value | string)) %}
    {%- endfor %}
    {%- do rules.append(('accepted_values', column,
        adapter.quote(column) ~ ' is not null and ' ~ adapter.quote(column) ~ ' not in (' ~ literals | join(', ') ~ ')')) %}
{%- endfor %}
{%- for column, code_list in code_lists.items() %}
    {%- if column in list_columns %}
        {%- set known = "list_has_all((select list(code) from codes where code_list = '" ~ code_list ~ "'), " ~ adapter.quote(column) ~ ")" %}
    {%- else %}
        {%- set known = adapter.quote(column) ~ " in (select code from codes where code_list = '" ~ code_list ~ "')" %}
    {%- endif %}
    {%- do rules.append(('code_list ' ~ code_list, column, adapter.quote(column) ~ ' is not null and not (' ~ known ~ ')')) %}
{%- endfor %}
{%- for column, code_list in code_list_labels.items() %}
    {%- do rules.append(('code_list_label ' ~ code_list, column,
        adapter.quote(column) ~ ' is not null and ' ~ adapter.quote(column)
        ~ " not in (select label from " ~ ref('code_lists') ~ " where code_list = '" ~ code_list ~ "')")) %}
{%- endfor %}
{%- for expression in expressions %}
    {%- do rules.append(('expression', expression | trim, 'not coalesce((' ~ expression ~ '), false)')) %}
{%- endfor %}

with

{%- if code_lists %}

codes as (

    select code_list, code from {{ ref('code_lists') }}
    union all
    select 'district' as code_list, district as code from {{ ref('districts') }}

),
{%- endif %}

broken_counts as (

    select
        {%- for kind, subject, broken in rules %}
        count(*) filter (where {{ broken }}) as rule_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_rule as (

    {%- for kind, subject, broken in rules %}
    select
        {{ loop.index }} as rule_number,
        '{{ kind }}' as rule_kind,
        '{{ subject | replace("'", "''") }}' as rule,
        rule_{{ loop.index }} as broken_rows
    from broken_counts
    {{ "union all" if not loop.last }}
    {%- endfor %}

)

select
    rule_number,
    rule_kind,
    rule,
    broken_rows
from per_rule
where broken_rows > 0

{% endtest %}
