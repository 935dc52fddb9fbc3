{#
  The record keys of a reconciliation finding (quality/reconciliation), in their order:
  petition_id, bailiff_case_no, case_id, arrears_case_id, tenancy_id, person_key. A finding names
  the keys it has (each an SQL expression) and the others are null. The records are identified by
  these pseudonymised keys only, never by names or ids. A macro because every finding of
  reconciliation.sql is one arm of a union: each arm then lists only what it knows, and the
  columns and their types cannot fall out of step between the arms.
#}
{% macro finding_keys(petition_id='null', bailiff_case_no='null', case_id='null', arrears_case_id='null', tenancy_id='null', person_key='null') -%}
        cast({{ petition_id }} as varchar) as petition_id,
        cast({{ bailiff_case_no }} as varchar) as bailiff_case_no,
        cast({{ case_id }} as varchar) as case_id,
        cast({{ arrears_case_id }} as varchar) as arrears_case_id,
        cast({{ tenancy_id }} as bigint) as tenancy_id,
        cast({{ person_key }} as varchar) as person_key
{%- endmacro %}
