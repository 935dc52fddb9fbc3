"""Helpers shared by the tests: builders of landing-zone files and fixtures, and second,
independent readings of the contract (the sample's reader, the national-id reference).
Nothing here imports a test module; test modules import from here."""
