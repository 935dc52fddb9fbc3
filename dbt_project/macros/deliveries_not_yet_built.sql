{#
  The staging tests of an incremental build check only the deliveries that are new to it.

  A staging model reads every delivery of its source in the raw layer, so each of its tests
  used to scan the whole history on every refresh (at 10 M postings about 10 s of a monthly
  build's node time, for a month's 5 %). The deliveries the last complete build held were
  tested by it, with the same tests (the dbt project is part of what the warehouse compares
  before building incrementally), and are unchanged in the raw layer (their fingerprints are
  compared too). A rule on one row gives the same answer on them again, and so does a
  relationship to another staging model, whose rows are only ever added to. So an incremental
  build tests the rows of later deliveries only, and a full build every row
  (orchestration/lib/incremental.py decides; dbt run by hand tests every row). A key unique
  across deliveries is checked for the new rows' keys among every row (test
  unique_key_of_deliveries).

  The Python that starts dbt puts the latest delivery date of each source the last complete
  build held in the environment variable EVICTIONS_DBT_BUILT_THROUGH, as JSON
  ({"boei": "2007-12-31", ...}), only when it builds incrementally. It is read when the tests
  run, never while dbt parses, so a new value does not make dbt parse the project again.

  deliveries_not_yet_built(relation): the condition on delivery_date that selects the rows of
  a staging relation (stg_<source>__<table>) delivered after that date, or '' for every row.
#}
{% macro deliveries_not_yet_built(relation) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set built_through = fromjson(env_var('EVICTIONS_DBT_BUILT_THROUGH', '{}')) -%}
    {%- set source = (relation.identifier or '')[4:].split('__', 1)[0] -%}
    {%- set date = built_through.get(source) -%}
    {%- if date is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', date) -%}
        {{- exceptions.raise_compiler_error(
            "EVICTIONS_DBT_BUILT_THROUGH: " ~ source ~ " is not a date: " ~ date) -}}
    {%- endif -%}
    {{- return("delivery_date > date '" ~ date ~ "'") -}}
{%- endmacro %}


{#
  dbt's test filter (config `where`), with one placeholder: __deliveries_not_yet_built__ stands
  for deliveries_not_yet_built(the tested relation), i.e. every row in a full build. The
  generated staging tests use it (orchestration/lib/contract_dbt.py). Any other `where` is
  applied as dbt applies it.
#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__deliveries_not_yet_built__' in where -%}
        {%- set where = where | replace('__deliveries_not_yet_built__', deliveries_not_yet_built(relation) or 'true') -%}
    {%- endif -%}
    {%- if where and where | trim != 'true' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- else -%}
        {{- return(relation) -}}
    {%- endif -%}
{%- endmacro %}
