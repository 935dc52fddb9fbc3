{#
  Every value of the column is in one code list of the `code_lists` seed: its codes
  (`field='code'`) or the English labels the curated tables carry (`field='label'`). The list
  is read from the seed at run time, so a label is never typed a second time in a yml.
  Nulls are not judged. A failure returns the unknown values and how many rows hold each.
#}
{% test in_code_list(model, column_name, code_list, field='code') %}

select
    {{ column_name }} as unknown_value,
    count(*) as rows_with_it
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select {{ field }} from {{ ref('code_lists') }} where code_list = '{{ code_list }}'
    )
group by {{ column_name }}

{% endtest %}
