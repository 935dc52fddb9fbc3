"""Landing zones generated from the contract's declaration (``orchestration/lib/contract.py``),
never from the bundled sample, and the tests built on them (issue #13)."""
