{#
  Matching the bailiff's cases one-to-one with another register's records (the collector's
  petitions, the co-operatives' arrears cases). Both matchings run in passes (by reference first,
  then by a weaker key among what the earlier passes left) and end in the same rows, so the
  tie-breaking and the match statuses have one home here rather than a copy per model.
#}

{#
  One pass: from `candidates` (a CTE with one row per possible pair, carrying the columns the
  orderings use), the pairs in which each side is the other's best candidate in turn: first the
  best candidate per `key` (ordered by `best_for_key`), then among those the best per `other_key`
  (ordered by `best_for_other_key`); the losers stay unmatched for the next pass. Returns a SELECT
  of (key, other_key, match_method).
#}
{% macro one_to_one_matches(candidates, key, best_for_key, other_key, best_for_other_key, match_method) -%}
    select {{ key }}, {{ other_key }}, '{{ match_method }}' as match_method
    from (
        select * from {{ candidates }}
        qualify row_number() over (partition by {{ key }} order by {{ best_for_key }}) = 1
    ) as best_per_{{ key }}
    qualify row_number() over (partition by {{ other_key }} order by {{ best_for_other_key }}) = 1
{%- endmacro %}

{#
  The matching's result, one row per matched pair and per record left unmatched, with
  match_status:
    matched               a pair of `matches` (bailiff_case_no, <record_key>, match_method);
    <record_only_status>  a record of `records` that no bailiff case matches;
    bailiff_only          a bailiff case (of `bailiff_cases`) of the petitioner type that could have
                          matched (petitioner_type_code = `matchable_petitioner_type`), unmatched;
    not_applicable        a bailiff case of any other petitioner type.
  Returns a SELECT of (bailiff_case_no, <record_key>, match_method, match_status).
#}
{% macro bailiff_matching_rows(matches, bailiff_cases, matchable_petitioner_type, records, record_key, record_only_status) -%}
    select
        bailiff_case_no,
        {{ record_key }},
        match_method,
        'matched' as match_status
    from {{ matches }}

    union all

    select
        cast(null as varchar) as bailiff_case_no,
        {{ record_key }},
        cast(null as varchar) as match_method,
        '{{ record_only_status }}' as match_status
    from {{ records }}
    where {{ record_key }} not in (select {{ record_key }} from {{ matches }})

    union all

    select
        bailiff_case_no,
        cast(null as varchar) as {{ record_key }},
        cast(null as varchar) as match_method,
        case
            when petitioner_type_code = '{{ matchable_petitioner_type }}' then 'bailiff_only'
            else 'not_applicable'
        end as match_status
    from {{ bailiff_cases }}
    where bailiff_case_no not in (select bailiff_case_no from {{ matches }})
{%- endmacro %}
