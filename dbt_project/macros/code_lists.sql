{#
  The one way models read the code_lists seed (models never ref it themselves, so a column added
  to the seed changes no model: these macros name the columns they read).
  code_labels: the (code, label) pairs of one code list, as a SELECT for a CTE.
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


{#
  The (code, label, sort_order) of the given codes of a code list, sort_order being each code's
  position in `codes` (1, 2, ...): a spine for a published table whose rows follow an order the
  seed does not hold (e.g. the stages of a co-operative's arrears case). A code not in the list
  has no row.
#}
{% macro ordered_code_labels(code_list, codes) -%}
    select
        code_labels.code,
        code_labels.label,
        spine.sort_order
    from ({{ code_labels(code_list) }}) as code_labels
    inner join ({{ band_spine(codes, 'code') }}) as spine
        on code_labels.code = spine.code
{%- endmacro %}
