-- Arrears of every tenancy on a chosen date, two equivalent ways: straight from the rent ledger
-- with the arrears_as_of macro, and from the running balances of int_tenancy_arrears_accumulated.

{% set on_date = "date '2007-06-30'" %}

with

from_ledger as (

    {{ arrears_as_of(on_date) }}

),

from_running_balance as (

    select tenancy_id, arrears_nok
    from {{ ref('int_tenancy_arrears_accumulated') }}
    where {{ valid_on(on_date) }}

)

select
    coalesce(from_ledger.tenancy_id, from_running_balance.tenancy_id) as tenancy_id,
    from_ledger.arrears_nok as arrears_from_ledger_nok,
    from_running_balance.arrears_nok as arrears_from_running_balance_nok
from from_ledger
full outer join from_running_balance
    on from_ledger.tenancy_id = from_running_balance.tenancy_id
