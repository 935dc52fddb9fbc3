{#
  History of a full-snapshot source table, one row per version of each record.

  Every delivery of a full snapshot is the source's whole state on its delivery date, and every
  delivery is kept in the raw layer. A version is a run of consecutive deliveries of the table in
  which the record is present with identical content. It is valid from the first delivery of the
  run (valid_from, inclusive) until the next delivery of the table after the run (valid_to,
  exclusive): that delivery either changed the record or no longer contained it. valid_to is null
  while the version is in the latest delivery (is_current).

  The state of a record on a date d is therefore the row with
      valid_from <= d and (valid_to is null or d < valid_to)
  (macro valid_on(d)); dates before the table's first delivery have no state.

  Arguments:
    relation         the staging relation (with a delivery_date column)
    key_columns      list of columns identifying a record
    content_columns  list of columns whose change makes a new version
    version_id_name  name of the surrogate key column (<key>@<valid_from>)
#}
{% macro historize_snapshot(relation, key_columns, content_columns, version_id_name) -%}
{#-
  Gaps and islands: within one key and one content, consecutive deliveries have consecutive
  delivery_sequence and consecutive row_number, so their difference is constant along a run
  and changes at a gap (absent from a delivery) or after a different content in between.
  One window over the snapshot rows and one group by; the contents are compared as values
  (partition and group by treat nulls as equal, like "is not distinct from").

  Incremental (the model is materialized incremental, strategy history_versions on
  version_id_name, below): the versions closed before the latest delivery already built never
  change, so only the later deliveries' rows are read, together with the current versions as
  rows of that delivery. Each current version is carried on (its valid_from, its deliveries seen
  and its number kept) when the next delivery holds it unchanged, and closed there otherwise; the
  rows emitted update those of the same version id, or are new versions. A full build is the
  same query starting from no history. The warehouse runs it incrementally only when every new
  delivery is later than those built
  (orchestration/lib/incremental.py).
-#}
{%- set keys = key_columns | join(', ') -%}
{%- set contents = content_columns | join(', ') -%}
with

-- Not materialized: DuckDB would otherwise materialize a CTE read twice, and this one is every
-- delivery of the table (at 10 M postings 5 M rows, spilled to disk): the dates are read from
-- it once, and only the rows of deliveries not yet built.
snapshot_rows as not materialized (

    select * from {{ relation }}

),

built_versions as (

    {%- if is_incremental() %}

    select * from {{ this }}

    {%- else %}

    -- a full build starts from no history: this table's columns, no row
    select
        {{ keys }},
        {{ contents }},
        delivery_date as valid_from,
        delivery_date as valid_to,
        true as is_current,
        delivery_date as last_seen_delivery_date,
        1 as deliveries_seen
    from snapshot_rows
    where false

    {%- endif %}

),

built_through as (

    -- The latest delivery built: the current versions were in it, or (an empty delivery) the
    -- versions it closed end on it. Null when nothing is built yet.
    select max(coalesce(valid_to, last_seen_delivery_date)) as delivery_date
    from built_versions

),

deliveries as (

    select
        delivery_date,
        row_number() over (order by delivery_date) as delivery_sequence,
        lead(delivery_date) over (order by delivery_date) as next_delivery_date
    from (
        {{ snapshot_delivery_dates(relation, 'snapshot_rows') }}
        union
        select delivery_date from built_through where delivery_date is not null
    ) as distinct_deliveries
    where (select delivery_date from built_through) is null
        or delivery_date >= (select delivery_date from built_through)

),

new_rows as (

    select
        {{ keys }},
        {{ contents }},
        delivery_date,
        cast(null as date) as carried_valid_from,
        0 as carried_deliveries_seen
    from snapshot_rows
    where (select delivery_date from built_through) is null
        or delivery_date > (select delivery_date from built_through)

),

carried_rows as (

    -- the current versions, as rows of the latest delivery built; only when a later one exists
    select
        {{ keys }},
        {{ contents }},
        last_seen_delivery_date as delivery_date,
        valid_from as carried_valid_from,
        deliveries_seen - 1 as carried_deliveries_seen
    from built_versions
    where is_current
        and exists (select 1 from deliveries where delivery_date > (select delivery_date from built_through))

),

history_rows as (

    select * from new_rows
    union all
    select * from carried_rows

),

islands as (

    select
        {{ keys }},
        {{ contents }},
        history_rows.delivery_date,
        history_rows.carried_valid_from,
        history_rows.carried_deliveries_seen,
        deliveries.delivery_sequence,
        deliveries.delivery_sequence - row_number() over (
            partition by {{ keys }}, {{ contents }}
            order by deliveries.delivery_sequence
        ) as island
    from history_rows
    inner join deliveries
        on history_rows.delivery_date = deliveries.delivery_date

),

versions as (

    select
        {{ keys }},
        {{ contents }},
        coalesce(min(carried_valid_from), min(delivery_date)) as valid_from,
        max(delivery_sequence) as last_delivery_sequence,
        max(delivery_date) as last_seen_delivery_date,
        count(*) + sum(carried_deliveries_seen) as deliveries_seen
    from islands
    group by {{ keys }}, {{ contents }}, island

),

closed_versions as (

    -- versions already closed before the latest delivery built: they keep their numbers
    select
        {{ keys }},
        count(*) as closed_versions_count
    from built_versions
    where not is_current
    group by {{ keys }}

),

final as (

    select
        concat_ws('@', {{ keys }}, strftime(versions.valid_from, '%Y-%m-%d')) as {{ version_id_name }},
        {{ keys }},
        {%- for column in content_columns %}
        versions.{{ column }},
        {%- endfor %}
        cast(
            coalesce(closed_versions.closed_versions_count, 0)
            + row_number() over (partition by {{ keys }} order by versions.valid_from)
            as integer
        ) as version_number,
        versions.valid_from,
        deliveries.next_delivery_date as valid_to,
        deliveries.next_delivery_date is null as is_current,
        versions.last_seen_delivery_date,
        cast(versions.deliveries_seen as integer) as deliveries_seen
    from versions
    inner join deliveries
        -- the version ends at the table's next delivery after the last one that contained it
        on versions.last_delivery_sequence = deliveries.delivery_sequence
    left join closed_versions using ({{ keys }})

)

select * from final
{%- endmacro %}


{# Predicate: the history row is the version valid on the given date. #}
{% macro valid_on(date_expression, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    ({{ prefix }}valid_from <= cast({{ date_expression }} as date)
     and ({{ prefix }}valid_to is null or cast({{ date_expression }} as date) < {{ prefix }}valid_to))
{%- endmacro %}


{#
  Rows of the latest delivery of a full-snapshot table: the source's current state.

  The latest date is a scalar subquery, compared in a filter: DuckDB pushes its value into the
  Parquet scan (a dynamic filter on delivery_date, which row-group statistics match only in the
  latest delivery's file), so only that delivery's rows are read. The relation is named twice,
  not once in a CTE: a CTE read twice is materialized, every delivery's rows with it. An empty
  latest delivery has its date from its file (snapshot_delivery_dates) and so gives no row.
#}
{% macro latest_delivery_rows(relation) -%}
with

latest as (

    select max(delivery_date) as delivery_date from ({{ snapshot_delivery_dates(relation, relation) }})

),

final as (

    select *
    from {{ relation }}
    where delivery_date = (select delivery_date from latest)

)

select * from final
{%- endmacro %}



{#
  Every delivery of a full-snapshot table, also one whose file held no row (a valid empty
  snapshot: the source's state is then "nothing", and every record of the earlier delivery
  ends there). Rows cannot tell: the delivered files can. The raw layer keeps one file per
  delivery, written even for zero rows; the staging model stg_<source>__<stem> names its source
  table, whose meta.delivery_files is the glob of those files (generated with the sources from
  orchestration/lib/paths.py: the layout is not typed here). The dates of the rows are added too
  (a dbt unit test has rows but no files).
#}
{% macro snapshot_delivery_dates(relation, rows_cte) -%}
    {#- At parse time the relation has no name yet and the graph is not read, and a unit test's graph
        has no sources: then only the rows' dates. -#}
    {%- set parts = (relation.identifier or '')[4:].split('__', 1) -%}
    {%- set table = none -%}
    {%- if execute and parts | length == 2 -%}
        {%- set sources = graph.get('sources') or {} -%}
        {%- set table = sources.get('source.' ~ project_name ~ '.' ~ parts[0] ~ '.' ~ parts[1]) -%}
    {%- endif %}
    select delivery_date from {{ rows_cte }}
    {%- if table %}
    union
    select cast(regexp_extract(file, '(\d{4}-\d{2}-\d{2})\.parquet$', 1) as date) as delivery_date
    from glob('{{ table.meta.delivery_files }}')
    {%- endif %}
{%- endmacro %}


{#
  Incremental strategy of the snapshot histories (incremental_strategy='history_versions',
  unique_key = the version id): the rows emitted by historize_snapshot are updated in place where
  the version is built already, and inserted where it is new.

  A version id is <key>@<valid_from>, and a built version keeps its valid_from and its content
  when carried on (historize_snapshot: only versions still current are emitted again, each with
  its own content and valid_from; a new version starts on a delivery later than every one built).
  So an emitted row with a built id differs from the built row only in the columns a later
  delivery changes: valid_to, is_current, last_seen_delivery_date, deliveries_seen (and
  version_number, which stays the same, updated to keep the table equal to a full build in any
  case). delete+insert rewrote every current version, all its columns, every month: at 10 M
  postings about 970 000 rows of the register, 0.95 s against 0.31 s for this. The emitted ids
  are checked for duplicates first (about 0.1 s on 980 000 ids).
#}
{% macro get_incremental_history_versions_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set emitted = arg_dict['temp_relation'] -%}
    {%- set version_id = arg_dict['unique_key'] -%}
    {%- if version_id is not string -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'history_versions' takes the version id as unique_key, one column: "
            ~ target) }}
    {%- endif -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set changing = ['valid_to', 'is_current', 'last_seen_delivery_date', 'deliveries_seen', 'version_number'] -%}
-- An id emitted twice would update its built row from either copy without a trace (delete+insert
-- would have inserted both, and the unique test failed): refuse the merge instead.
select error('history_versions: ' || (count(*) - count(distinct {{ version_id }}))
    || ' version ids emitted more than once for {{ target }}; the merge is refused')
from {{ emitted }}
having count(*) > count(distinct {{ version_id }});

update {{ target }} as built
set
    {%- for column in changing %}
    {{ column }} = emitted.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
from {{ emitted }} as emitted
where built.{{ version_id }} = emitted.{{ version_id }};

insert into {{ target }} ({{ columns }})
select {{ columns }}
from {{ emitted }} as emitted
where not exists (
    select 1 from {{ target }} as built where built.{{ version_id }} = emitted.{{ version_id }}
);
{%- endmacro %}
