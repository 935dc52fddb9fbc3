-- The hand-written baseline: the warehouse's core work in one DuckDB SQL script.
--
-- What it computes, from the same landing zone the refresh reads:
--   1. arrears per tenancy of the latest housing-register snapshot, on the snapshot date
--      (the delivery date of the latest boei tenancies.csv): the sum of belop of every
--      rent-ledger posting, over ALL ledger deliveries, with bokfort_dato <= that date,
--      each bilag_id counted once (a posting re-delivered near a cut-off is identical);
--   2. petitions and evictions per year and source:
--        collector: petitions by year of innsendt_dato; evictions = status FULLFORT by year
--                   of status_dato (latest kemner/petitions.csv);
--        bailiff:   cases by year of Mottatt; evictions = Utfall GJENNOMFORT by year of
--                   Utfall_dato (latest namsfogd/cases.xlsx).
-- and writes both results to Parquet.
--
-- The driver (benchmarks/run_benchmark.py, `baseline`) fills in the dollar-prefixed
-- placeholders below (string.Template substitution, nothing else) and, before running this,
-- registers the bailiff sheet as the Arrow table `bailiff_sheet` (DuckDB has no Excel reader
-- offline; polars/calamine reads it, and that time is counted).
--
--   $ledger_files      list of rent_ledger.csv paths, e.g. ['a.csv', 'b.csv']
--   $ledger_encoding   'latin-1' when the files hold no byte 0x80-0x9F (then latin-1 and
--                      Windows-1252 decode identically, and DuckDB refuses the file otherwise),
--                      else 'utf-8' for copies transcoded from Windows-1252 by the driver
--   $tenancies_file    the latest tenancies.csv (same encoding rule: $tenancies_encoding)
--   $snapshot_date     its delivery date, 'YYYY-MM-DD'
--   $petitions_file    the latest kemner/petitions.csv (UTF-8)
--   $arrears_out, $counts_out   Parquet files to write

-- ---------------------------------------------------------------------------------------
-- Rent ledger: typed read (dates and ids parsed by the CSV reader), amounts parsed in SQL.
-- ---------------------------------------------------------------------------------------
create temp table postings as
with

ledger as (

    select *
    from read_csv(
        $ledger_files,
        delim = ';',
        header = true,
        quote = '"',
        encoding = $ledger_encoding,
        dateformat = '%d.%m.%Y',
        columns = {
            'bilag_id': 'VARCHAR',
            'leieforhold_id': 'BIGINT',
            'bokfort_dato': 'DATE',
            'posttype': 'VARCHAR',
            'belop': 'VARCHAR'
        }
    )
    where bokfort_dato <= date $snapshot_date

),

-- "kr (322 317,41)" -> "(322317,41)"; "kr -1 234,50" -> "-1234,50"; "1 234,50" -> "1234,50"
unformatted as (

    select
        bilag_id,
        leieforhold_id,
        replace(replace(replace(replace(belop, 'kr', ''), ' ', ''), chr(160), ''), ',', '.') as belop_text
    from ledger

),

parsed as (

    select
        bilag_id,
        leieforhold_id,
        case
            when starts_with(belop_text, '(')
                then -cast(belop_text[2:-2] as decimal(12, 2))
            else cast(belop_text as decimal(12, 2))
        end as belop
    from unformatted

)

-- De-duplicated by bilag_id: a re-delivered posting is identical, so any copy will do.
select
    bilag_id,
    any_value(leieforhold_id) as leieforhold_id,
    any_value(belop) as belop
from parsed
group by bilag_id;

-- ---------------------------------------------------------------------------------------
-- Arrears per tenancy of the latest snapshot (0 without postings).
-- ---------------------------------------------------------------------------------------
create temp table arrears as
with

tenancies as (

    select leieforhold_id
    from read_csv(
        $tenancies_file,
        delim = ';',
        header = true,
        quote = '"',
        encoding = $tenancies_encoding,
        all_varchar = true
    )

),

per_tenancy as (

    select leieforhold_id, sum(belop) as arrears_nok, count(*) as postings
    from postings
    group by leieforhold_id

)

select
    cast(tenancies.leieforhold_id as bigint) as tenancy_id,
    coalesce(per_tenancy.arrears_nok, 0) as arrears_nok,
    coalesce(per_tenancy.postings, 0) as postings,
    date $snapshot_date as snapshot_date
from tenancies
left join per_tenancy
    on cast(tenancies.leieforhold_id as bigint) = per_tenancy.leieforhold_id;

-- ---------------------------------------------------------------------------------------
-- Petitions and evictions by year and source.
-- ---------------------------------------------------------------------------------------
create temp table counts as
with

petitions as (

    select innsendt_dato, status, status_dato
    from read_csv(
        $petitions_file,
        delim = ',',
        header = true,
        quote = '"',
        columns = {
            'begjaering_id': 'VARCHAR', 'leieforhold_id': 'BIGINT', 'fodselsnummer': 'VARCHAR',
            'innsendt_dato': 'DATE', 'krav_belop': 'VARCHAR', 'namsfogd_saksnr': 'VARCHAR',
            'status': 'VARCHAR', 'status_dato': 'DATE', 'nemnd_godkjent_dato': 'VARCHAR'
        }
    )

),

-- Excel dates arrive as 'yyyy-mm-dd hh:mm:ss' text, text dates as 'dd.mm.yyyy'.
bailiff as (

    select
        coalesce(try_strptime(Mottatt, '%d.%m.%Y'), try_cast(Mottatt[1:10] as date)) :: date as received,
        Utfall as outcome,
        coalesce(try_strptime(Utfall_dato, '%d.%m.%Y'), try_cast(Utfall_dato[1:10] as date)) :: date as outcome_date
    from bailiff_sheet

),

events as (

    select 'collector' as source, year(innsendt_dato) as year, 1 as petitions, 0 as evictions from petitions
    union all
    select 'collector', year(status_dato), 0, 1 from petitions where status = 'FULLFORT'
    union all
    select 'bailiff', year(received), 1, 0 from bailiff
    union all
    select 'bailiff', year(outcome_date), 0, 1 from bailiff where outcome = 'GJENNOMFORT'

)

select source, cast(year as integer) as year, sum(petitions) :: bigint as petitions, sum(evictions) :: bigint as evictions
from events
group by source, year
order by source desc, year;

copy arrears to $arrears_out (format parquet);
copy counts to $counts_out (format parquet);
