"""``person_key``: the lowercase hex HMAC-SHA256 of the national id (``published.md``)."""

from __future__ import annotations

import hashlib
import hmac

# Accepted only for the bundled sample (see ``settings.pseudonym_key``).
DEVELOPMENT_KEY = "development-key-for-the-bundled-synthetic-sample-only"


def person_key(national_id: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), national_id.encode("ascii"), hashlib.sha256).hexdigest()
