"""The source contract (``docs/contracts/sources.md``) as one declaration.

This module is the only place where the contract's file layouts, formats, columns,
types, required values, code lists (by name: the codes themselves live once, in the dbt
seed ``code_lists``), keys and row rules are written down. Everything else is derived
from it and never typed again:

- the polars validation at ingest (``orchestration.lib.rows`` renders each rule);
- the Great Expectations suites (``expectations/build_suites.py`` renders each rule);
- the dbt sources, staging models and their tests and column docs
  (``orchestration.lib.contract_dbt`` writes ``dbt_project/models/staging/``);

and a test fails when a committed derived artefact differs from what this declaration
produces (``uv run evictions generate --check``).

Severity policy (the one statement of it; every check is declared with one of these):

- ``BLOCKING``: what the contract refuses (the delivery) or quarantines (the row). Only
  such a check may stop publication: after ingest, a failure means the warehouse let
  through something the contract forbids.
- ``WARNING``: checks that go beyond the contract: plausible date ranges, an empty file,
  a volume drop against the previous delivery, a share of quarantined rows above
  ``QUARANTINE_SHARE_WARNING``. A delivery that follows the contract is accepted, so
  these are reported in the run and in ``quality/``, never blocking.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from orchestration.lib.reference import account_codes, codes, districts

ColumnType = Literal["int", "text", "date", "amount", "code", "codes"]

# --- severity policy (see the module docstring) ------------------------------------------
BLOCKING = "critical"
WARNING = "warning"
# A snapshot with fewer rows than this share of the previous delivery's is flagged (warning).
VOLUME_DROP_WARNING_RATIO = 0.5
# A file with more than this share of its rows quarantined is flagged (warning).
QUARANTINE_SHARE_WARNING = 0.05

# Latest plausible dates (``Column.plausible``): an event cannot lie after the delivery; a
# date agreed ahead (a tenancy's end, an eviction date) may lie up to HORIZON_YEARS ahead.
HORIZON_YEARS = 10
LATEST_DELIVERY = "delivery_date"
LATEST_HORIZON = "horizon_date"
EARLIEST_TENANCY = dt.date(1900, 1, 1)
EARLIEST_EVENT = dt.date(1990, 1, 1)


# What ingest derives from a national id (the id itself never passes ingest): the pseudonym's
# form and the sex codes. The age bands are national_id.AGE_BANDS (published.md).
PERSON_KEY_REGEX = "^[0-9a-f]{64}$"
SEXES = ("F", "M")


# --- formats -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FileFormat:
    """How a source writes its files (``sources.md``, "Formats")."""

    name: str
    container: Literal["csv", "xlsx"]
    # Python codec of the bytes; None for xlsx (a zip archive).
    encoding: str | None
    separator: str | None
    # A UTF-8 byte-order mark is skipped wherever it stands (prosjekt writes one, bbl does not):
    # accepting one where the contract has none loses nothing and refuses no valid file.
    # ``dmy`` dd.mm.yyyy text; ``iso`` yyyy-mm-dd; ``excel_or_dmy`` a real Excel date or dd.mm.yyyy text.
    date_style: Literal["dmy", "iso", "excel_or_dmy"]
    # ``decimal_comma``: kr prefix, (no-break) space grouping and parentheses allowed;
    # ``decimal_comma_plain``: a decimal comma and nothing else; ``decimal_point``; ``either``.
    amount_style: Literal["decimal_comma", "decimal_comma_plain", "decimal_point", "either"]
    list_separator: str = "|"
    description: str = ""


CSV_CP1252 = FileFormat(
    "csv_cp1252",
    "csv",
    "cp1252",
    ";",
    "dmy",
    "decimal_comma",
    description="`;`-separated, Windows-1252, decimal comma (kr, spaces and parentheses allowed), dates dd.mm.yyyy",
)
CSV_UTF8 = FileFormat(
    "csv_utf8",
    "csv",
    "utf-8",
    ",",
    "iso",
    "decimal_point",
    description="`,`-separated, UTF-8, RFC 4180 quoting, ISO dates, decimal point",
)
# Excel's "CSV UTF-8" follows the locale: Norwegian Excel writes a decimal comma (the contract
# is silent on prosjekt's amounts, so both are accepted).
CSV_UTF8_BOM = FileFormat(
    "csv_utf8_bom",
    "csv",
    "utf-8",
    ";",
    "dmy",
    "either",
    description="`;`-separated, UTF-8 with BOM (Excel's CSV UTF-8), dates dd.mm.yyyy, `|`-separated lists",
)
CSV_UTF8_SEMICOLON = FileFormat(
    "csv_utf8_semicolon",
    "csv",
    "utf-8",
    ";",
    "dmy",
    "decimal_comma_plain",
    description="`;`-separated, UTF-8 without BOM, RFC 4180 quoting, dates dd.mm.yyyy, decimal comma, no grouping",
)
XLSX = FileFormat(
    "xlsx",
    "xlsx",
    None,
    None,
    "excel_or_dmy",
    "either",
    description="Excel .xlsx, header in row 1 of the named sheet, dates as Excel dates or text dd.mm.yyyy",
)


# --- row rules: a small expression language rendered to polars, SQL and GX ----------------
@dataclass(frozen=True)
class Col:
    """A column of the file, by its contract (source) name."""

    name: str


Operand = Col | int


@dataclass(frozen=True)
class Compare:
    left: Col
    op: Literal[">", ">=", "<", "<="]
    right: Operand


@dataclass(frozen=True)
class OneOf:
    column: Col
    values: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True)
class Present:
    column: Col
    negated: bool = False  # True: the value must be empty


@dataclass(frozen=True)
class Matches:
    column: Col
    regex: str


@dataclass(frozen=True)
class InReference:
    """The value is in a reference table kept as a dbt seed (e.g. the chart of accounts)."""

    column: Col
    seed: str
    seed_column: str


@dataclass(frozen=True)
class Implies:
    """``then`` must hold in the rows where ``when`` holds (``when`` is a code condition)."""

    when: OneOf
    then: Compare | Present | Matches


Condition = Compare | OneOf | Present | Matches | InReference | Implies


def reference_values(condition: InReference) -> tuple[str, ...]:
    if (condition.seed, condition.seed_column) == ("chart_of_accounts", "account"):
        return tuple(account_codes())
    raise KeyError(f"no reference reader for seed {condition.seed}.{condition.seed_column}")


@dataclass(frozen=True)
class RowRule:
    """A rule from a "meaning" cell: rows that break it are quarantined ``rule:<name>``.

    Every check must hold. A check over a missing value is not judged: the missing value
    has its own reason (``missing_required``) when the column is required.
    """

    name: str
    description: str
    checks: tuple[Condition, ...]


# --- columns and files -------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    # The dbt seed code list (``code_lists.code_list``) or "district" (the districts seed).
    code_list: str | None = None
    national_id: bool = False
    # Names never leave the landing zone and quarantine.
    personal: bool = False
    # Staging: the English snake_case name and the SQL type.
    staging_name: str | None = None
    sql_type: str | None = None
    description: str = ""
    # Plausible range of a date (beyond the contract, WARNING): (earliest, latest parameter).
    plausible: tuple[dt.date, str] | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        if self.code_list is None:
            return ()
        if self.code_list == "district":
            return districts()
        return codes(self.code_list)

    @property
    def case_insensitive(self) -> bool:
        """Districts are matched ignoring case and surrounding spaces (sources.md)."""
        return self.code_list == "district"

    @property
    def kept(self) -> bool:
        """Loaded into the raw layer (national ids become person_key, sex, age_band; names go)."""
        return not (self.personal or self.national_id)

    @property
    def staging_sql_type(self) -> str:
        if self.sql_type:
            return self.sql_type
        return {
            "int": "bigint",
            "text": "varchar",
            "date": "date",
            "amount": "decimal(12, 2)",
            "code": "varchar",
            "codes": "varchar[]",
        }[self.type]


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
    # False for a file that starts in a later delivery (namsfogd/forced_sales.xlsx): a
    # delivery without it is complete and says nothing about it.
    in_every_delivery: bool = True
    # The staging model's description (the model is stg_<source>__<stem>).
    staging_description: str = ""
    # Cross-source references checked in staging (WARNING): column -> (staging model, column).
    references: tuple[tuple[str, str, str], ...] = ()

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

    @property
    def raw_table(self) -> str:
        return raw_table_name(self)


@dataclass(frozen=True)
class Source:
    name: str
    system: str
    # Days between deliveries to expect, with some slack (freshness checks).
    delivery_interval_days: int
    # What the source feeds: the eviction statistics, or the forced-sale follow-up project.
    feeds: Literal["evictions", "forced_sales"] = "evictions"


# --- shared column shapes -----------------------------------------------------------------
def _district(name: str, description: str, staging_name: str = "district") -> Column:
    return Column(name, "code", True, "district", staging_name=staging_name, description=description)


def _national_id(name: str, whose: str) -> Column:
    return Column(name, "text", True, national_id=True, description=f"{whose}'s national id")


def _event(name: str, staging: str, description: str, required: bool = True, latest: str = LATEST_DELIVERY) -> Column:
    return Column(
        name, "date", required, staging_name=staging, description=description, plausible=(EARLIEST_EVENT, latest)
    )


def positive(column: str) -> Compare:
    return Compare(Col(column), ">", 0)


def not_before(later: str, earlier: str) -> Compare:
    return Compare(Col(later), ">=", Col(earlier))


# --- the files ----------------------------------------------------------------------------
FILES: tuple[FileSpec, ...] = (
    FileSpec(
        source="boei",
        name="tenancies.csv",
        format=CSV_CP1252,
        kind="snapshot",
        description="One row per tenancy in the municipal housing register.",
        staging_description="Housing-register tenancies, every delivery (full snapshots), renamed and cast. "
        "One row per tenancy per delivery.",
        columns=(
            Column(
                "leieforhold_id", "int", True, staging_name="tenancy_id", description="Tenancy id, unique in the file."
            ),
            Column("bolig_id", "text", True, staging_name="dwelling_id", description="Dwelling id."),
            _national_id("fodselsnummer", "The main tenant"),
            Column("navn", "text", True, personal=True, description="The main tenant's name."),
            _district("bydel", "District of the dwelling, canonical spelling."),
            Column(
                "boligtype",
                "code",
                True,
                "dwelling_type",
                staging_name="dwelling_type_code",
                description="Dwelling type code.",
            ),
            Column(
                "antall_personer",
                "int",
                True,
                staging_name="household_size",
                sql_type="integer",
                description="Persons in the household, at least 1.",
            ),
            Column(
                "antall_barn",
                "int",
                True,
                staging_name="children_count",
                sql_type="integer",
                description="Children in the household, fewer than the persons.",
            ),
            Column("husleie", "amount", True, staging_name="monthly_rent_nok", description="Monthly rent, NOK, > 0."),
            Column(
                "fra_dato",
                "date",
                True,
                staging_name="start_date",
                description="Tenancy start.",
                plausible=(EARLIEST_TENANCY, LATEST_HORIZON),
            ),
            Column(
                "til_dato",
                "date",
                staging_name="end_date",
                description="Tenancy end; empty while active.",
                plausible=(EARLIEST_TENANCY, LATEST_HORIZON),
            ),
        ),
        key=("leieforhold_id",),
        rules=(
            RowRule("household_size_at_least_one", "antall_personer >= 1", (Compare(Col("antall_personer"), ">=", 1),)),
            RowRule(
                "children_fewer_than_persons",
                "0 <= antall_barn < antall_personer",
                (Compare(Col("antall_barn"), ">=", 0), Compare(Col("antall_barn"), "<", Col("antall_personer"))),
            ),
            RowRule("rent_positive", "husleie > 0", (positive("husleie"),)),
            RowRule("end_not_before_start", "til_dato >= fra_dato", (not_before("til_dato", "fra_dato"),)),
        ),
    ),
    FileSpec(
        source="boei",
        name="rent_ledger.csv",
        format=CSV_CP1252,
        kind="incremental",
        description="One row per posting on a tenant's rent account (incremental).",
        staging_description="Rent-ledger postings of every delivery (incremental; a posting delivered twice "
        "was loaded once), renamed and cast. One row per posting.",
        columns=(
            Column(
                "bilag_id",
                "text",
                True,
                staging_name="posting_id",
                description="Posting id, unique across all deliveries.",
            ),
            Column(
                "leieforhold_id", "int", True, staging_name="tenancy_id", description="Tenancy the posting belongs to."
            ),
            _event("bokfort_dato", "posted_date", "Posting date."),
            Column(
                "posttype",
                "code",
                True,
                "posting_type",
                staging_name="posting_type_code",
                description="Posting type code (HUSLEIE rent charged; payments, credits, write-offs).",
            ),
            Column(
                "belop",
                "amount",
                True,
                staging_name="amount_nok",
                description="Signed amount, NOK: rent charged > 0, the other posting types < 0.",
            ),
        ),
        key=("bilag_id",),
        rules=(
            RowRule(
                "amount_sign_matches_posting_type",
                "HUSLEIE > 0, other posting types < 0",
                (
                    Implies(OneOf(Col("posttype"), ("HUSLEIE",)), positive("belop")),
                    Implies(OneOf(Col("posttype"), ("HUSLEIE",), negated=True), Compare(Col("belop"), "<", 0)),
                ),
            ),
        ),
        references=(("leieforhold_id", "stg_boei__tenancies", "tenancy_id"),),
    ),
    FileSpec(
        source="kemner",
        name="petitions.csv",
        format=CSV_UTF8,
        kind="snapshot",
        event_date_column="innsendt_dato",
        description="One row per petition for eviction filed by the collector.",
        staging_description="The collector's petitions for eviction, every delivery (full snapshots), renamed "
        "and cast. One row per petition per delivery.",
        columns=(
            Column("begjaering_id", "text", True, staging_name="petition_id", description="Petition id, unique."),
            Column(
                "leieforhold_id", "int", True, staging_name="tenancy_id", description="Tenancy the petition concerns."
            ),
            _national_id("fodselsnummer", "The tenant"),
            _event("innsendt_dato", "filed_date", "Date filed with the bailiff."),
            Column("krav_belop", "amount", True, staging_name="claim_nok", description="Claim, NOK, > 0."),
            Column(
                "namsfogd_saksnr",
                "text",
                staging_name="bailiff_case_no",
                description="The bailiff's case number, once known.",
            ),
            Column(
                "status",
                "code",
                True,
                "petition_status",
                staging_name="status_code",
                description="Petition status code (SENDT, TRUKKET, FULLFORT, AVVIST).",
            ),
            _event("status_dato", "status_date", "Date of the latest status, >= innsendt_dato."),
            _event(
                "nemnd_godkjent_dato",
                "board_approved_date",
                "Approval by the debt-collection complaints board; required for petitions filed from "
                "2008-03-01 on (flagged in reconciliation, never dropped).",
                required=False,
            ),
        ),
        key=("begjaering_id",),
        rules=(
            RowRule("claim_positive", "krav_belop > 0", (positive("krav_belop"),)),
            RowRule(
                "status_not_before_filing",
                "status_dato >= innsendt_dato",
                (not_before("status_dato", "innsendt_dato"),),
            ),
        ),
    ),
    FileSpec(
        source="kemner",
        name="notifications.csv",
        format=CSV_UTF8,
        kind="snapshot",
        event_date_column="varsel_dato",
        description="The collector's notification list to the district social services.",
        staging_description="The collector's notification list to the district social services, every "
        "delivery (full snapshots), renamed and cast. One row per notice per delivery.",
        columns=(
            Column("varsel_id", "text", True, staging_name="notification_id", description="Notice id, unique."),
            Column(
                "leieforhold_id",
                "int",
                staging_name="tenancy_id",
                description="Tenancy; empty for owner-occupiers with municipal loans.",
            ),
            _national_id("fodselsnummer", "The person notified about"),
            _event("varsel_dato", "notified_date", "Date of the notice."),
            Column("restanse_belop", "amount", True, staging_name="arrears_nok", description="Arrears, NOK, > 0."),
            _district("bydel", "District social service notified, canonical spelling."),
            Column(
                "varseltype",
                "code",
                True,
                "notification_type",
                staging_name="notification_type_code",
                description="Notice type code (RESTANSE rent arrears, TVANGSSALG risk of a forced sale).",
            ),
        ),
        key=("varsel_id",),
        rules=(RowRule("arrears_positive", "restanse_belop > 0", (positive("restanse_belop"),)),),
    ),
    FileSpec(
        source="namsfogd",
        name="cases.xlsx",
        format=XLSX,
        sheet="Saker",
        kind="snapshot",
        event_date_column="Mottatt",
        description="Every eviction case at the bailiff in Bergen, all landlords.",
        staging_description="The bailiff's eviction cases (all landlords), every delivery (full snapshots), "
        "renamed and cast. One row per case per delivery.",
        columns=(
            Column("Saksnr", "text", True, staging_name="bailiff_case_no", description="Case number, unique."),
            _event("Mottatt", "received_date", "Date the petition was received."),
            Column(
                "Saksokertype",
                "code",
                True,
                "petitioner_type",
                staging_name="petitioner_type_code",
                description="Petitioner type code (KOMMUNE the collector, PRIVAT, BORETTSLAG).",
            ),
            Column("Saksoker", "text", True, personal=True, description="The petitioner's name."),
            Column(
                "Saksokers_ref",
                "text",
                staging_name="petitioner_reference",
                description="Petitioner's reference; for KOMMUNE the collector's begjaering_id.",
            ),
            _national_id("Fodselsnummer", "The respondent"),
            _event("Berammet", "scheduled_date", "Date set for the eviction.", required=False, latest=LATEST_HORIZON),
            Column(
                "Utfall",
                "code",
                True,
                "bailiff_outcome",
                staging_name="outcome_code",
                description="Outcome code (UNDER_BEHANDLING, GJENNOMFORT, BORTFALT, UTSATT, AVVIST).",
            ),
            _event(
                "Utfall_dato",
                "outcome_date",
                "Date of the outcome; required unless UNDER_BEHANDLING.",
                required=False,
                latest=LATEST_HORIZON,
            ),
        ),
        key=("Saksnr",),
        rules=(
            RowRule(
                "outcome_date_unless_pending",
                "Utfall_dato required unless UNDER_BEHANDLING",
                (Implies(OneOf(Col("Utfall"), ("UNDER_BEHANDLING",), negated=True), Present(Col("Utfall_dato"))),),
            ),
        ),
    ),
    FileSpec(
        source="namsfogd",
        name="forced_sales.xlsx",
        format=XLSX,
        sheet="Tvangssalg",
        kind="snapshot",
        in_every_delivery=False,
        event_date_column="Mottatt",
        description="Every petition for the forced sale of a home in Bergen (from the bailiff's first "
        "forced-sale extract on).",
        staging_description="The bailiff's forced-sale cases, every delivery that has the file (full "
        "snapshots), renamed and cast. One row per case per delivery.",
        columns=(
            Column("Saksnr", "text", True, staging_name="bailiff_case_no", description="Case number, unique."),
            _event("Mottatt", "received_date", "Date the petition was received."),
            Column(
                "Saksokertype",
                "code",
                True,
                "forced_sale_petitioner_type",
                staging_name="petitioner_type_code",
                description="Petitioner type code (BORETTSLAG, KOMMUNE, BANK, ANNEN).",
            ),
            Column("Saksoker", "text", True, personal=True, description="The petitioner's name."),
            Column(
                "Saksokers_ref",
                "text",
                staging_name="petitioner_reference",
                description="Petitioner's reference; for a co-operative managed by a bbl company, the sak_id "
                "of its arrears case.",
            ),
            _national_id("Fodselsnummer", "The owner"),
            Column(
                "Objekttype",
                "code",
                True,
                "object_type",
                staging_name="object_type_code",
                description="Object type code (ANDEL, SELVEIER, EIERSEKSJON).",
            ),
            Column(
                "Utfall",
                "code",
                True,
                "forced_sale_outcome",
                staging_name="outcome_code",
                description="Outcome code (UNDER_BEHANDLING, SOLGT, BORTFALT, TRUKKET, AVVIST).",
            ),
            _event(
                "Utfall_dato",
                "outcome_date",
                "Date of the outcome, >= Mottatt; required unless UNDER_BEHANDLING.",
                required=False,
                latest=LATEST_HORIZON,
            ),
        ),
        key=("Saksnr",),
        rules=(
            RowRule(
                "outcome_date_unless_pending",
                "Utfall_dato required unless UNDER_BEHANDLING",
                (Implies(OneOf(Col("Utfall"), ("UNDER_BEHANDLING",), negated=True), Present(Col("Utfall_dato"))),),
            ),
            RowRule("outcome_not_before_receipt", "Utfall_dato >= Mottatt", (not_before("Utfall_dato", "Mottatt"),)),
        ),
    ),
    FileSpec(
        source="prosjekt",
        name="cases.csv",
        format=CSV_UTF8_BOM,
        kind="snapshot",
        event_date_column="opprettet",
        description="One row per household the project mapped.",
        staging_description="The project's case register, every delivery (full snapshots), renamed and cast. "
        "One row per case per delivery.",
        columns=(
            Column("sak_id", "text", True, staging_name="case_id", description="Case id, unique."),
            Column("leieforhold_id", "int", True, staging_name="tenancy_id", description="Tenancy of the household."),
            _national_id("fodselsnummer", "The tenant"),
            _event("opprettet", "opened_date", "Date the case was opened."),
            _district("sosialtjeneste", "District social service, canonical spelling."),
            Column(
                "kjent_sosialtjenesten",
                "code",
                True,
                "known_to_social_service",
                staging_name="known_to_social_service_code",
                description="Known to the social service (JA, NEI, FELLES).",
            ),
            Column(
                "barn_i_husstand",
                "int",
                True,
                staging_name="children_count",
                sql_type="integer",
                description="Children in the household, >= 0.",
            ),
            Column(
                "inntektskilde",
                "code",
                True,
                "income_source",
                staging_name="income_source_code",
                description="Main income source code.",
            ),
            Column(
                "krav_belop",
                "amount",
                True,
                staging_name="claim_nok",
                description="Claim when the case opened, NOK, > 0.",
            ),
            Column(
                "utfall", "code", True, "project_outcome", staging_name="outcome_code", description="Case outcome code."
            ),
            Column(
                "losning",
                "code",
                False,
                "solution",
                staging_name="solution_code",
                description="How the case was resolved; empty when not recorded.",
            ),
            Column(
                "tiltak",
                "codes",
                False,
                "action",
                staging_name="action_codes",
                description="What the project did, a list of action codes in delivered order; empty when not recorded.",
            ),
            _event(
                "avsluttet",
                "closed_date",
                "Date the case was closed, >= opprettet; empty while FORTSATT_I_ARBEID.",
                required=False,
            ),
        ),
        key=("sak_id",),
        rules=(
            RowRule("children_not_negative", "barn_i_husstand >= 0", (Compare(Col("barn_i_husstand"), ">=", 0),)),
            RowRule("claim_positive", "krav_belop > 0", (positive("krav_belop"),)),
            RowRule("closed_not_before_opened", "avsluttet >= opprettet", (not_before("avsluttet", "opprettet"),)),
            RowRule(
                "open_case_not_closed",
                "avsluttet empty while FORTSATT_I_ARBEID",
                (Implies(OneOf(Col("utfall"), ("FORTSATT_I_ARBEID",)), Present(Col("avsluttet"), negated=True)),),
            ),
        ),
    ),
    FileSpec(
        source="regnskap",
        name="ledger.csv",
        format=CSV_CP1252,
        kind="snapshot",
        description="The project's accounts, one row per account line.",
        staging_description="The project's account lines, every delivery (full snapshots), renamed and cast. "
        "One row per account per delivery.",
        columns=(
            Column("art", "text", True, staging_name="account", description="Six-digit account code."),
            Column("tekst", "text", True, staging_name="account_text", description="Account text as delivered."),
            Column(
                "belop",
                "amount",
                True,
                staging_name="amount_nok",
                description="Amount, NOK, positive for income and expense alike.",
            ),
        ),
        key=("art",),
        rules=(
            RowRule("account_code_six_digits", "art is six digits", (Matches(Col("art"), r"^\d{6}$"),)),
            RowRule(
                "account_in_chart",
                "art is in the chart of accounts",
                (InReference(Col("art"), "chart_of_accounts", "account"),),
            ),
            RowRule("amount_positive", "belop > 0 (income and expense alike)", (positive("belop"),)),
        ),
    ),
    FileSpec(
        source="bbl",
        name="arrears.csv",
        format=CSV_UTF8_SEMICOLON,
        kind="snapshot",
        description="One row per co-operative member with unpaid common costs, and per such case closed since "
        "the previous delivery (the housing co-operatives' management companies).",
        staging_description="The co-operative arrears cases of the three management companies, every delivery "
        "(full snapshots), renamed and cast. One row per arrears case per delivery.",
        columns=(
            Column(
                "sak_id",
                "text",
                True,
                staging_name="arrears_case_id",
                description="Arrears case id, unique across the three companies.",
            ),
            Column(
                "boligbyggelag",
                "code",
                True,
                "housing_association",
                staging_name="housing_association_code",
                description="Management company (BOB, VESTBO, STOR_BERGEN).",
            ),
            Column("borettslag", "text", True, staging_name="co_operative", description="The co-operative's name."),
            Column("andel_nr", "text", True, staging_name="share_no", description="Share number in the co-operative."),
            _national_id("fodselsnummer", "The member"),
            Column("navn", "text", True, personal=True, description="The member's name."),
            _district("bydel", "District, canonical spelling."),
            Column(
                "barn_i_husstand",
                "int",
                True,
                staging_name="children_count",
                sql_type="integer",
                description="Children in the household, >= 0.",
            ),
            Column(
                "restanse_belop",
                "amount",
                True,
                staging_name="arrears_nok",
                description="Unpaid common costs, NOK: > 0 while the case is open, >= 0 once LOST, "
                "SOLGT_FRIVILLIG or TVANGSSOLGT.",
            ),
            _event("forfalt_siden", "overdue_since", "Oldest unpaid due date."),
            Column(
                "trinn",
                "code",
                True,
                "co_op_stage",
                staging_name="stage_code",
                description="Stage code (VARSEL, PALEGG_SALG, BEGJAERT, LOST, SOLGT_FRIVILLIG, TVANGSSOLGT).",
            ),
            _event("trinn_dato", "stage_date", "Date the case reached its stage, >= forfalt_siden."),
            _event(
                "sosialtjeneste_varslet",
                "social_service_notified_date",
                "Date the district social service was notified (the routine of December 2007).",
                required=False,
            ),
            _event(
                "begjaert_dato",
                "petitioned_date",
                "Date the forced sale was petitioned; required for BEGJAERT and TVANGSSOLGT, >= forfalt_siden.",
                required=False,
            ),
        ),
        key=("sak_id",),
        rules=(
            RowRule("children_not_negative", "barn_i_husstand >= 0", (Compare(Col("barn_i_husstand"), ">=", 0),)),
            RowRule(
                "arrears_positive_while_open",
                "restanse_belop > 0 while the case is open",
                (Implies(OneOf(Col("trinn"), ("VARSEL", "PALEGG_SALG", "BEGJAERT")), positive("restanse_belop")),),
            ),
            RowRule("arrears_not_negative", "restanse_belop >= 0", (Compare(Col("restanse_belop"), ">=", 0),)),
            RowRule(
                "stage_not_before_due", "trinn_dato >= forfalt_siden", (not_before("trinn_dato", "forfalt_siden"),)
            ),
            RowRule(
                "petition_date_when_petitioned",
                "begjaert_dato required for BEGJAERT and TVANGSSOLGT",
                (Implies(OneOf(Col("trinn"), ("BEGJAERT", "TVANGSSOLGT")), Present(Col("begjaert_dato"))),),
            ),
            RowRule(
                "petition_not_before_due",
                "begjaert_dato >= forfalt_siden",
                (not_before("begjaert_dato", "forfalt_siden"),),
            ),
        ),
    ),
)

_SOURCES: tuple[Source, ...] = (
    Source("boei", "the municipal housing register (BOEI)", 200),
    Source("kemner", "the municipal collector (Kemneren)", 200),
    Source("namsfogd", "the bailiff (Namsfogden)", 200),
    Source("prosjekt", "the project's case register", 200),
    Source("regnskap", "the municipal accounts", 400),
    Source(
        "bbl", "the housing co-operatives' management companies (BOB, Vestbo, Stor-Bergen)", 200, feeds="forced_sales"
    ),
)
SOURCES: tuple[str, ...] = tuple(s.name for s in _SOURCES)
# The sources the eviction statistics are built from (the release's status and cut-off).
EVICTION_SOURCES: tuple[str, ...] = tuple(s.name for s in _SOURCES if s.feeds == "evictions")
SOURCE_SYSTEMS: dict[str, str] = {s.name: s.system for s in _SOURCES}
EXPECTED_DELIVERY_INTERVAL_DAYS: dict[str, int] = {s.name: s.delivery_interval_days for s in _SOURCES}


def source(name: str) -> Source:
    return next(s for s in _SOURCES if s.name == name)


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


def code_lists_in_use() -> tuple[str, ...]:
    """Every seed code list a contract column names (the seed must hold exactly these)."""
    return tuple(sorted({c.code_list for f in FILES for c in f.columns if c.code_list and c.code_list != "district"}))


def rule_columns(condition: Condition) -> tuple[str, ...]:
    """The columns a condition reads, in order of appearance."""
    if isinstance(condition, Compare):
        right = (condition.right.name,) if isinstance(condition.right, Col) else ()
        return (condition.left.name, *right)
    if isinstance(condition, Implies):
        return (*rule_columns(condition.when), *rule_columns(condition.then))
    return (condition.column.name,)


def declaration_problems() -> list[str]:
    """Inconsistencies of the declaration itself (run by the tests and ``evictions generate``)."""
    found = []
    for spec in FILES:
        names = set(spec.column_names)
        for rule in spec.rules:
            for check in rule.checks:
                for name in rule_columns(check):
                    if name not in names:
                        found.append(f"{spec.source}/{spec.name}: rule {rule.name} reads unknown column {name}")
        for column in spec.columns:
            if column.kept and not column.staging_name:
                found.append(f"{spec.source}/{spec.name}: column {column.name} has no staging name")
            if column.type in ("code", "codes") and not column.code_list:
                found.append(f"{spec.source}/{spec.name}: code column {column.name} names no code list")
        if spec.format.container == "xlsx" and not spec.sheet:
            found.append(f"{spec.source}/{spec.name}: an xlsx file needs its sheet")
    return found
