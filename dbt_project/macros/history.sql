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
{%- set keys = key_columns | join(', ') -%}
with

snapshot_rows as (

    select * from {{ relation }}

),

deliveries as (

    select
        delivery_date,
        row_number() over (order by delivery_date) as delivery_sequence,
        lead(delivery_date) over (order by delivery_date) as next_delivery_date
    from (select distinct delivery_date from snapshot_rows) as distinct_deliveries

),

sequenced as (

    select
        snapshot_rows.*,
        deliveries.delivery_sequence,
        deliveries.next_delivery_date,
        struct_pack({% for column in content_columns %}{{ column }}{{ ", " if not loop.last }}{% endfor %}) as content,
        lag(deliveries.delivery_sequence) over records as previous_delivery_sequence,
        lag(struct_pack({% for column in content_columns %}{{ column }}{{ ", " if not loop.last }}{% endfor %})) over records as previous_content
    from snapshot_rows
    inner join deliveries
        on snapshot_rows.delivery_date = deliveries.delivery_date
    window records as (partition by {{ keys }} order by deliveries.delivery_sequence)

),

flagged as (

    select
        *,
        case
            when previous_delivery_sequence is null then 1
            when previous_delivery_sequence <> delivery_sequence - 1 then 1
            when previous_content is distinct from content then 1
            else 0
        end as starts_version
    from sequenced

),

numbered as (

    select
        *,
        sum(starts_version) over (
            partition by {{ keys }}
            order by delivery_sequence
            rows between unbounded preceding and current row
        ) as version_number
    from flagged

),

versions as (

    select
        {{ keys }},
        version_number,
        min(delivery_date) as valid_from,
        max(delivery_sequence) as last_delivery_sequence,
        max(delivery_date) as last_seen_delivery_date,
        count(*) as deliveries_seen,
        arg_max(content, delivery_sequence) as content
    from numbered
    group by {{ keys }}, version_number

),

final as (

    select
        concat_ws('@', {{ keys }}, strftime(valid_from, '%Y-%m-%d')) as {{ version_id_name }},
        {{ keys }},
        {%- for column in content_columns %}
        content.{{ column }} as {{ column }},
        {%- endfor %}
        cast(version_number as integer) as version_number,
        valid_from,
        deliveries.next_delivery_date as valid_to,
        deliveries.next_delivery_date is null as is_current,
        last_seen_delivery_date,
        cast(deliveries_seen as integer) as deliveries_seen
    from versions
    inner join deliveries
        -- the version ends at the table's next delivery after the last one that contained it
        on versions.last_delivery_sequence = deliveries.delivery_sequence

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
#}
{% macro latest_delivery_rows(relation) -%}
with

snapshot_rows as (

    select * from {{ relation }}

),

latest as (

    select max(delivery_date) as delivery_date from snapshot_rows

),

final as (

    select snapshot_rows.*
    from snapshot_rows
    inner join latest
        on snapshot_rows.delivery_date = latest.delivery_date

)

select * from final
{%- endmacro %}
