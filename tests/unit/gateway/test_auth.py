"""Passwords, access tokens and API keys: what passes and what is refused."""

from __future__ import annotations

import time

import jwt
import pytest

from chitti.errors import BadRequest, Unauthorized
from chitti.gateway.auth import (
    Principal,
    api_key_id,
    check_new_password,
    decode_access_token,
    hash_password,
    issue_access_token,
    new_api_key,
    new_signing_key,
    verify_password,
)

KEY = new_signing_key()
TRADER = Principal(7, "asha", "trader", session_id="s-1")


def test_passwords_are_argon2id_and_verify_only_themselves() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored
    assert verify_password(stored, "a long passphrase")
    assert not verify_password(stored, "a long passphrasE")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


@pytest.mark.parametrize("bad", ["short", "x" * 1025, "ten chars\x00!"])
def test_weak_or_malformed_new_passwords_are_refused(bad: str) -> None:
    with pytest.raises(BadRequest, match="password"):
        check_new_password(bad)


def test_a_token_round_trips_its_principal() -> None:
    decoded = decode_access_token(issue_access_token(TRADER, KEY, 60), KEY)
    assert (decoded.user_id, decoded.name, decoded.role, decoded.session_id) == (
        7, "asha", "trader", "s-1")
    assert decoded.may("viewer") and decoded.may("trader") and not decoded.may("admin")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_expired_foreign_and_unpinned_tokens_are_refused() -> None:
    expired = issue_access_token(TRADER, KEY, 60, now=time.time() - 120)
    with pytest.raises(Unauthorized, match="expired"):
        decode_access_token(expired, KEY)
    with pytest.raises(Unauthorized):
        decode_access_token(issue_access_token(TRADER, new_signing_key(), 60), KEY)
    claims = jwt.decode(issue_access_token(TRADER, KEY, 60), KEY, algorithms=["HS256"])
    for algorithm, key in (("HS384", KEY), ("none", None)):  # the right key, wrong alg
        with pytest.raises(Unauthorized):
            decode_access_token(jwt.encode(claims, key, algorithm=algorithm), KEY)
    with pytest.raises(Unauthorized, match="not an access token"):
        decode_access_token(jwt.encode({**claims, "typ": "refresh"}, KEY, "HS256"), KEY)


def test_api_keys_carry_their_public_id() -> None:
    key_id, key = new_api_key()
    assert api_key_id(key) == key_id and len(key) > 40
    for bad in ("", "ck_", "sk_abc_def", "ck_" + "x" * 300):
        with pytest.raises(Unauthorized):
            api_key_id(bad)
