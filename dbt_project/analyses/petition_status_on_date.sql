-- The status of every collector petition and every bailiff case as the sources reported it on a
-- past date (here 2007-09-30), from the snapshot histories. Compile with
--   dbt compile --select petition_status_on_date
-- and run the SQL in target/compiled/... against the warehouse.

{% set on_date = "date '2007-09-30'" %}

with

petitions as (

    select petition_id, bailiff_case_no, status_code, status_date, valid_from as reported_in_delivery
    from {{ ref('int_petitions_historized') }}
    where {{ valid_on(on_date) }}

),

bailiff_cases as (

    select bailiff_case_no, petitioner_reference, outcome_code, outcome_date, valid_from as reported_in_delivery
    from {{ ref('int_bailiff_cases_historized') }}
    where {{ valid_on(on_date) }}

)

select
    petitions.petition_id,
    petitions.status_code as collector_status_code,
    bailiff_cases.bailiff_case_no,
    bailiff_cases.outcome_code as bailiff_outcome_code
from petitions
full outer join bailiff_cases
    on bailiff_cases.petitioner_reference = petitions.petition_id
