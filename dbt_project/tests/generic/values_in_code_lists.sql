{#
  Every value of the listed columns is a code of its code list, read from the seeds at run time
  (`code_lists`, or `districts` for the list named "district"), so the code lists have one home.

  `code_lists` maps a column to its list: {outcome_code: project_outcome, district: district}.
  A column in `list_columns` (varchar[]) is checked element by element. One scan for all the coded
  columns of a model; a failure names each column with unknown codes and how many rows hold
  one; no data value is returned. Nulls are not judged (required columns have their own test).
#}
{% test values_in_code_lists(model, code_lists, list_columns=[]) %}

with

codes as (

    select code_list, code from {{ ref('code_lists') }}
    union all
    select 'district' as code_list, district as code from {{ ref('districts') }}

),

unknown_counts as (

    select
        {%- for column, code_list in code_lists.items() %}
        count(*) filter (
            where {{ adapter.quote(column) }} is not null
            and not (
                {%- if column in list_columns %}
                list_has_all(
                    (select list(code) from codes where code_list = '{{ code_list }}'),
                    {{ adapter.quote(column) }}
                )
                {%- else %}
                {{ adapter.quote(column) }} in (select code from codes where code_list = '{{ code_list }}')
                {%- endif %}
            )
        ) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

per_column as (

    unpivot unknown_counts
    on columns(*)
    into name column_name value rows_with_unknown_code

)

select
    column_name,
    rows_with_unknown_code
from per_column
where rows_with_unknown_code > 0

{% endtest %}
