{#
  The counting shape of the published tables: every category of a spine (a code list, a seed, a
  list of bands or values, a run of years; several spines are crossed) gets a row, the counted rows
  are left-joined to it, and each count is the number of joined rows meeting a condition. A
  category without any row is counted 0 instead of missing from the table: the left join keeps it
  and count(case when ... then 1 end) does not count the spine's unmatched null row (count(*) would
  count it as 1). A macro because most published models count this way.
  Arguments:
    categories        the spine CTE, or a list of spine CTEs to cross
    category_columns  the spines' columns to keep, qualified (e.g. 'claim_bands.sort_order'; an
                      alias is allowed: 'age_bands.sort_order as age_order'); the grouping
    rows              the CTE of the rows counted
    joined_on         the condition joining a row to its category
    counts            {output column: condition on the joined row}, in output order; the count of
                      every row is the condition '<rows>.<key> is not null'
  Returns a SELECT (a CTE body): the category columns, then one bigint column per count.
#}
{% macro count_per_category(categories, category_columns, rows, joined_on, counts) -%}
    {%- set spines = [categories] if categories is string else categories -%}
    select
        {%- for column in category_columns %}
        {{ column }},
        {%- endfor %}
        {%- for name, condition in counts.items() %}
        cast(count(case when {{ condition }} then 1 end) as bigint) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ spines | join(' cross join ') }}
    left join {{ rows }}
        on {{ joined_on }}
    group by all
{%- endmacro %}
