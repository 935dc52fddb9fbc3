"""Deterministic generator of the bundled sample landing zone (issue 3).

Deliberately independent of ``orchestration``: nothing here imports the warehouse's code
(``orchestration.lib``'s contract, parsers, pseudonym or districts). The sample is a
second, separate writing of ``docs/contracts/sources.md``, so that the warehouse's
tests exercise its parsers against files written without them, rather than against
files the parsers' own code wrote (which would agree with any mistake in them). It
lives outside the production wheel (``pyproject.toml`` packages ``orchestration``
only): an installed warehouse never writes samples; ``evictions sample`` runs it from
a checkout. Plain Python (numpy, polars, xlsxwriter): importing it does not import
Dagster.

The sample is synthetic from end to end: people, tenancies, rent accounts, petitions
and cases are drawn from fixed random seeds, and every national id is a synthetic
test number (month + 80), so nothing here can point to a real person. Only the
project's accounts (chapter 6 of the 2008 report) are copied from the report.

What the sample guarantees (``docs/reference/report-figures.md``):

* The latest delivery of each source reproduces the report's exact figures
  (Tables 1 and 2, 963 households, 45 evictions, the accounts), times ``scale``.
  Exact figures come from quotas, never from luck: counts are laid out with
  ``np.repeat`` and shuffled, and the random parts (dates, amounts) are drawn inside
  windows that cannot move a record out of its counted year.
* The shape facts hold because the per-district, per-outcome and per-band quotas
  (``sample.shared``) are chosen so that they do.
* The sources agree with each other: a claim is the tenant's arrears in the rent
  ledger on the claim's date; a collector petition the bailiff received is a
  ``KOMMUNE`` case whose ``Saksokers_ref`` is the petition id and whose outcome
  matches the petition's status; project cases point to tenancies in the register.
  That is why one world (``sample.world``) feeds every source's writer.
* Full snapshots are consistent over time: a record appears from the delivery after
  it happened, with the status it had on the delivery date.
* Byte-for-byte determinism: fixed seeds, no clocks, fixed xlsx properties.
* The forced-sale follow-up project's sources (``bbl`` and the bailiff's
  ``forced_sales.xlsx``, from 2007-06-30 on) come from their own random streams, drawn
  after the eviction world, so the eviction files keep their bytes; their figures are
  quotas too (``sample.forced_sales.FORCED_SALE_QUOTAS``, ``sample/README.md``).

Why the rent ledger covers only some accounts: a ledger for every tenancy would be
too big to commit. It holds the accounts of the tenancies the collector or the
project followed up for arrears, from six months before their arrears began
(earlier months were settled, so leaving them out does not change any arrears).

``scale`` multiplies every count (tenancies, households, petitions, cases, ledger
postings). The world is held in memory in compact numpy arrays (it grows linearly
with the scale, about 1 GB at scale 578); every big file is formatted and written a
slice of rows at a time (``sample.files.CHUNK_ROWS``) and the rent ledger a month at
a time, so writing adds a bounded amount on top (``sample/README.md`` has figures).

Modules: ``shared`` (dates, codes, quotas, helpers), ``world`` (the eviction world),
``forced_sales`` (the follow-up project's world), ``files`` (formatting and writing
deliveries), one writer per source (``boei``, ``kemner``, ``namsfogd``, ``prosjekt``,
``regnskap``, ``bbl``) and ``generator`` (``write_sample``). The committed copy lives at
``SAMPLE_RELATIVE_DIR`` (``sample/landing``, beside these modules).
"""

from sample.generator import write_sample
from sample.shared import SAMPLE_RELATIVE_DIR

__all__ = ["SAMPLE_RELATIVE_DIR", "write_sample"]
