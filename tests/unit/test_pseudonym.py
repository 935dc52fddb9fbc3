import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.lib.pseudonym import DEVELOPMENT_KEY, person_key, person_keys

ids = st.text(alphabet="0123456789", min_size=11, max_size=11)


def _hmac_sha256_hex(national_id: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), national_id.encode("ascii"), hashlib.sha256).hexdigest()


# Keys around the 64-byte SHA-256 block (longer keys are hashed first), and non-ASCII keys.
@given(st.lists(ids), st.one_of(st.text(), st.text(min_size=60, max_size=70), st.sampled_from(["", DEVELOPMENT_KEY])))
def test_person_keys_are_the_hmac_sha256_of_each_id(national_ids, key):
    assert person_keys(national_ids, key) == [_hmac_sha256_hex(n, key) for n in national_ids]


@given(ids, st.text())
def test_person_key_is_person_keys_of_one(national_id, key):
    assert person_key(national_id, key) == person_keys([national_id], key)[0]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("benchmark", "765eea4a420ec605fe962f83ae258177243f947d7e1bb400ea699a2a1c07cf7d"),
        ("k" * 64, "d30994bff0f05ecd68cf8ea44bb1e61f7c9c89304604c183f5a6f236b4cb3dde"),
        ("nøkkel-" * 10, "e1a681e4207891ae9f92356150b5d852f06bbb97964d56c52154e91cd22ed1f6"),
    ],
)
def test_person_key_is_unchanged(key, expected):
    # A changed person_key would re-key every person in the warehouse.
    assert person_key("01018012345", key) == expected
