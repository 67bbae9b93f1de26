"""The keyed hash that stands for a person: the key's HMAC state is made once and only copied."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.storage import keys


@given(
    secrets=st.lists(st.binary(min_size=1, max_size=80), min_size=1, max_size=6),
    kind=st.sampled_from(["id", "phone", "email", "name"]),
    values=st.lists(st.text(max_size=40), min_size=1, max_size=5),
)
def test_identity_hash_is_the_hmac_of_kind_and_value_under_each_key(
    secrets: list[bytes], kind: str, values: list[str]
) -> None:
    # Several keys in turn (more than the cache holds): each hash is that key's, never another's,
    # and hashing one value does not change the next one's (the kept state is never updated).
    for value in values:
        for secret in secrets:
            expected = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
            assert keys.identity_hash(secret, kind, value) == expected
