"""The source contract (``shared/contracts/sources.md``) as data.

Every other module reads file layouts, types, code lists and row rules from here, so
the contract lives in exactly one place in the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from orchestration.lib.reference import codes, districts

ColumnType = Literal["int", "text", "date", "amount", "code", "codes"]
FileFormat = Literal["csv_cp1252", "csv_utf8", "csv_utf8_bom", "xlsx"]

# The code lists live once, as dbt seeds; the contract reads them from there.
DISTRICTS: tuple[str, ...] = districts()
DWELLING_TYPES = codes("dwelling_type")
POSTING_TYPES = codes("posting_type")
PETITION_STATUSES = codes("petition_status")
NOTIFICATION_TYPES = codes("notification_type")
PETITIONER_TYPES = codes("petitioner_type")
BAILIFF_OUTCOMES = codes("bailiff_outcome")
KNOWN_TO_SOCIAL_SERVICE = codes("known_to_social_service")
INCOME_SOURCES = codes("income_source")
PROJECT_OUTCOMES = codes("project_outcome")
SOLUTIONS = codes("solution")
ACTIONS = codes("action")

# Board approval became mandatory for collector petitions filed from this date on.
BOARD_APPROVAL_REQUIRED_FROM = "2008-03-01"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    codes: tuple[str, ...] = ()
    # Codes matched ignoring case and surrounding spaces, stored in their canonical spelling.
    case_insensitive: bool = False
    national_id: bool = False
    # Names never leave the landing zone and quarantine.
    personal: bool = False


@dataclass(frozen=True)
class RowRule:
    """A rule from a "meaning" cell; rows that break it are quarantined.

    The executable form is in ``orchestration.lib.rows`` under the same ``name``.
    """

    name: str
    description: str


@dataclass(frozen=True)
class FileSpec:
    source: str
    name: str
    format: FileFormat
    kind: Literal["snapshot", "incremental"]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = ()
    # The date at which a person's age band is taken; None means the delivery date.
    event_date_column: str | None = None
    sheet: str | None = None
    description: str = ""

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def national_id_column(self) -> str | None:
        return next((c.name for c in self.columns if c.national_id), None)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _district(name: str, required: bool = True) -> Column:
    return Column(name, "code", required, DISTRICTS, case_insensitive=True)


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        source="boei",
        name="tenancies.csv",
        format="csv_cp1252",
        kind="snapshot",
        description="One row per tenancy in the municipal housing register.",
        columns=(
            Column("leieforhold_id", "int", True),
            Column("bolig_id", "text", True),
            Column("fodselsnummer", "text", True, national_id=True),
            Column("navn", "text", True, personal=True),
            _district("bydel"),
            Column("boligtype", "code", True, DWELLING_TYPES),
            Column("antall_personer", "int", True),
            Column("antall_barn", "int", True),
            Column("husleie", "amount", True),
            Column("fra_dato", "date", True),
            Column("til_dato", "date"),
        ),
        key=("leieforhold_id",),
        rules=(
            RowRule("household_size_at_least_one", "antall_personer >= 1"),
            RowRule("children_fewer_than_persons", "0 <= antall_barn < antall_personer"),
            RowRule("rent_positive", "husleie > 0"),
            RowRule("end_not_before_start", "til_dato >= fra_dato"),
        ),
    ),
    FileSpec(
        source="boei",
        name="rent_ledger.csv",
        format="csv_cp1252",
        kind="incremental",
        description="One row per posting on a tenant's rent account (incremental).",
        columns=(
            Column("bilag_id", "text", True),
            Column("leieforhold_id", "int", True),
            Column("bokfort_dato", "date", True),
            Column("posttype", "code", True, POSTING_TYPES),
            Column("belop", "amount", True),
        ),
        key=("bilag_id",),
        rules=(
            RowRule("amount_sign_matches_posting_type", "HUSLEIE > 0, other posting types < 0"),
        ),
    ),
    FileSpec(
        source="kemner",
        name="petitions.csv",
        format="csv_utf8",
        kind="snapshot",
        event_date_column="innsendt_dato",
        description="One row per petition for eviction filed by the collector.",
        columns=(
            Column("begjaering_id", "text", True),
            Column("leieforhold_id", "int", True),
            Column("fodselsnummer", "text", True, national_id=True),
            Column("innsendt_dato", "date", True),
            Column("krav_belop", "amount", True),
            Column("namsfogd_saksnr", "text"),
            Column("status", "code", True, PETITION_STATUSES),
            Column("status_dato", "date", True),
            Column("nemnd_godkjent_dato", "date"),
        ),
        key=("begjaering_id",),
        rules=(
            RowRule("claim_positive", "krav_belop > 0"),
            RowRule("status_not_before_filing", "status_dato >= innsendt_dato"),
        ),
    ),
    FileSpec(
        source="kemner",
        name="notifications.csv",
        format="csv_utf8",
        kind="snapshot",
        event_date_column="varsel_dato",
        description="The collector's notification list to the district social services.",
        columns=(
            Column("varsel_id", "text", True),
            Column("leieforhold_id", "int"),
            Column("fodselsnummer", "text", True, national_id=True),
            Column("varsel_dato", "date", True),
            Column("restanse_belop", "amount", True),
            _district("bydel"),
            Column("varseltype", "code", True, NOTIFICATION_TYPES),
        ),
        key=("varsel_id",),
        rules=(RowRule("arrears_positive", "restanse_belop > 0"),),
    ),
    FileSpec(
        source="namsfogd",
        name="cases.xlsx",
        format="xlsx",
        sheet="Saker",
        kind="snapshot",
        event_date_column="Mottatt",
        description="Every eviction case at the bailiff in Bergen, all landlords.",
        columns=(
            Column("Saksnr", "text", True),
            Column("Mottatt", "date", True),
            Column("Saksokertype", "code", True, PETITIONER_TYPES),
            Column("Saksoker", "text", True, personal=True),
            Column("Saksokers_ref", "text"),
            Column("Fodselsnummer", "text", True, national_id=True),
            Column("Berammet", "date"),
            Column("Utfall", "code", True, BAILIFF_OUTCOMES),
            Column("Utfall_dato", "date"),
        ),
        key=("Saksnr",),
        rules=(
            RowRule("outcome_date_unless_pending", "Utfall_dato required unless UNDER_BEHANDLING"),
        ),
    ),
    FileSpec(
        source="prosjekt",
        name="cases.csv",
        format="csv_utf8_bom",
        kind="snapshot",
        event_date_column="opprettet",
        description="One row per household the project mapped.",
        columns=(
            Column("sak_id", "text", True),
            Column("leieforhold_id", "int", True),
            Column("fodselsnummer", "text", True, national_id=True),
            Column("opprettet", "date", True),
            _district("sosialtjeneste"),
            Column("kjent_sosialtjenesten", "code", True, KNOWN_TO_SOCIAL_SERVICE),
            Column("barn_i_husstand", "int", True),
            Column("inntektskilde", "code", True, INCOME_SOURCES),
            Column("krav_belop", "amount", True),
            Column("utfall", "code", True, PROJECT_OUTCOMES),
            Column("losning", "code", False, SOLUTIONS),
            Column("tiltak", "codes", False, ACTIONS),
            Column("avsluttet", "date"),
        ),
        key=("sak_id",),
        rules=(
            RowRule("children_not_negative", "barn_i_husstand >= 0"),
            RowRule("claim_positive", "krav_belop > 0"),
            RowRule("closed_not_before_opened", "avsluttet >= opprettet"),
            RowRule("open_case_not_closed", "avsluttet empty while FORTSATT_I_ARBEID"),
        ),
    ),
    FileSpec(
        source="regnskap",
        name="ledger.csv",
        format="csv_cp1252",
        kind="snapshot",
        description="The project's accounts, one row per account line.",
        columns=(
            Column("art", "text", True),
            Column("tekst", "text", True),
            Column("belop", "amount", True),
        ),
        key=("art",),
        rules=(
            RowRule("account_code_six_digits", "art is six digits"),
            RowRule("account_in_chart", "art is in the chart of accounts"),
            RowRule("amount_positive", "belop > 0 (income and expense alike)"),
        ),
    ),
)

SOURCES: tuple[str, ...] = ("boei", "kemner", "namsfogd", "prosjekt", "regnskap")

# How often each source is expected to deliver (days between deliveries, with some slack):
# the operational sources half-yearly, the accounts yearly.
EXPECTED_DELIVERY_INTERVAL_DAYS: dict[str, int] = {
    "boei": 200,
    "kemner": 200,
    "namsfogd": 200,
    "prosjekt": 200,
    "regnskap": 400,
}


def files_of(source: str) -> tuple[FileSpec, ...]:
    return tuple(f for f in FILES if f.source == source)


def file_spec(source: str, name: str) -> FileSpec:
    for spec in FILES:
        if spec.source == source and spec.name == name:
            return spec
    raise KeyError(f"{source}/{name} is not a file of the source contract")


def raw_table_name(spec: FileSpec) -> str:
    """Name of the raw Parquet table for a contract file, e.g. ``boei__tenancies``."""
    return f"{spec.source}__{spec.stem}"
