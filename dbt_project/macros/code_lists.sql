{#
  The (code, label) pairs of one code list of the code_lists seed, as a SELECT for a CTE.
  Codes are the sources' own (e.g. GJENNOMFORT); labels are the English values the curated
  tables carry (e.g. executed).
#}
{% macro code_labels(code_list) -%}
    select
        code,
        label
    from {{ ref('code_lists') }}
    where code_list = '{{ code_list }}'
{%- endmacro %}

{# The labels of a code list as a DuckDB MAP(code -> label), for mapping lists of codes. #}
{% macro code_label_map(code_list) -%}
    select map_from_entries(list(struct_pack(k := code, v := label))) as labels
    from {{ ref('code_lists') }}
    where code_list = '{{ code_list }}'
{%- endmacro %}
