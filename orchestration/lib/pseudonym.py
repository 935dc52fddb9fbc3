"""``person_key``: the lowercase hex HMAC-SHA256 of the national id (``published.md``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# Accepted only for the bundled sample (see ``settings.pseudonym_key``).
DEVELOPMENT_KEY = "development-key-for-the-bundled-synthetic-sample-only"

_SHA256_BLOCK_SIZE = 64


def person_keys(national_ids: Iterable[str], key: str) -> list[str]:
    """``person_key`` of each id, in order.

    HMAC (RFC 2104) spelled out so that the key's inner and outer hash states are computed
    once and copied per id: about 2.5 times faster than ``hmac.new`` or ``hmac.digest`` per id,
    which matters at a million ids a file.
    """
    key_bytes = key.encode("utf-8")
    if len(key_bytes) > _SHA256_BLOCK_SIZE:
        key_bytes = hashlib.sha256(key_bytes).digest()
    key_block = key_bytes.ljust(_SHA256_BLOCK_SIZE, b"\0")
    inner_keyed = hashlib.sha256(bytes(b ^ 0x36 for b in key_block))
    outer_keyed = hashlib.sha256(bytes(b ^ 0x5C for b in key_block))
    keys = []
    for national_id in national_ids:
        inner = inner_keyed.copy()
        inner.update(national_id.encode("ascii"))
        outer = outer_keyed.copy()
        outer.update(inner.digest())
        keys.append(outer.hexdigest())
    return keys


def person_key(national_id: str, key: str) -> str:
    return person_keys([national_id], key)[0]
