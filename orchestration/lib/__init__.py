"""Plain helpers with no Dagster import: parsers, the source contract, ingest and publishing."""
