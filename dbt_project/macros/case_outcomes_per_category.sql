{#
  The project's outcomes per category, the measure of the report's Diagrams 11-15
  (cases_by_claim_band, cases_by_social_service_involvement): per category of a spine, the project
  cases and their share of all cases, the cases resolved before eviction and the evictions, each
  with its share of the category's cases. A macro because those tables are one measure over
  different categories. The counted rows are the CTE `cases` (the case_outcomes mart).
  Returns a SELECT (a CTE body): the category columns (as count_per_category keeps them), cases,
  share_pct, resolved_cases, resolved_pct, evictions, eviction_share_pct.
#}
{% macro case_outcomes_per_category(categories, category_columns, joined_on) -%}
    select
        * exclude (cases, resolved_cases, evictions),
        cases,
        {{ share_of_total('cases') }} as share_pct,
        resolved_cases,
        {{ percentage_of('resolved_cases', 'cases') }} as resolved_pct,
        evictions,
        {{ percentage_of('evictions', 'cases') }} as eviction_share_pct
    from (
        {{ count_per_category(
            categories, category_columns, rows='cases', joined_on=joined_on,
            counts={
                'cases': 'cases.case_id is not null',
                'resolved_cases': "cases.outcome = 'resolved'",
                'evictions': "cases.outcome = 'evicted'",
            }
        ) }}
    ) as counted
{%- endmacro %}
