"""Field encryption (AES-256-GCM, key id in each token so old keys still decrypt) and the keyed
blind index used for equality lookups on encrypted columns."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core import crypto
from gonghui.core.checks import check_field_encryption_keys


def new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


KEY_A, KEY_B = new_key(), new_key()


@given(st.text())
def test_a_value_decrypts_to_itself(plaintext):
    assert crypto.decrypt(crypto.encrypt(plaintext)) == plaintext


def test_the_same_value_encrypts_differently_each_time():
    tokens = {crypto.encrypt("410102199001011234") for _ in range(20)}

    assert len(tokens) == 20
    assert not any("410102199001011234" in token for token in tokens)


def test_a_tampered_token_does_not_decrypt():
    key_id, _, body = crypto.encrypt("13812345678").partition("$")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1

    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{key_id}${base64.b64encode(bytes(raw)).decode()}")


def test_a_new_key_put_first_encrypts_while_the_old_one_still_decrypts(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    old_token = crypto.encrypt("410102199001011234")
    assert not crypto.needs_reencryption(old_token)

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    assert crypto.decrypt(old_token) == "410102199001011234"
    assert crypto.needs_reencryption(old_token)
    new_token = crypto.reencrypt(old_token)
    assert not crypto.needs_reencryption(new_token)
    assert new_token.split("$")[0] != old_token.split("$")[0]
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert crypto.decrypt(new_token) == "410102199001011234"


def test_a_token_under_a_key_that_was_removed_is_an_explicit_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    token = crypto.encrypt("x")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]

    with pytest.raises(ImproperlyConfigured, match="no key with id"):
        crypto.decrypt(token)


@pytest.mark.parametrize("key", ["not base64 at all!", base64.urlsafe_b64encode(b"short").decode()])
def test_a_malformed_key_is_a_configuration_error(settings, key):
    settings.FIELD_ENCRYPTION_KEYS = [key]

    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")
    assert [e.id for e in check_field_encryption_keys()] == ["gonghui.E002"]


def test_no_key_at_all_fails_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = []

    assert [e.id for e in check_field_encryption_keys()] == ["gonghui.E001"]


def test_proper_keys_pass_the_system_check(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, KEY_B]

    assert check_field_encryption_keys() == []


def test_the_blind_index_is_stable(settings):
    first = crypto.blind_index("410102199001011234", purpose="member.id_number")

    assert first == crypto.blind_index("410102199001011234", purpose="member.id_number")
    assert len(first) == 32 and int(first, 16) >= 0


def test_the_blind_index_depends_on_the_key(settings):
    settings.BLIND_INDEX_KEY = "k" * 40
    under_one_key = crypto.blind_index("410102199001011234", purpose="member.id_number")
    settings.BLIND_INDEX_KEY = "j" * 40

    assert crypto.blind_index("410102199001011234", purpose="member.id_number") != under_one_key


def test_the_blind_index_depends_on_the_purpose():
    assert crypto.blind_index("13812345678", purpose="member.phone") != crypto.blind_index(
        "13812345678", purpose="merchant.phone"
    )


@given(st.text(), st.text())
def test_different_values_get_different_indexes(one, other):
    if one != other:
        assert crypto.blind_index(one, purpose="p") != crypto.blind_index(other, purpose="p")


def test_a_plain_value_in_an_encrypted_column_is_refused_without_echoing_it():
    with pytest.raises(ValueError, match="not an encrypted token") as refused:
        crypto.decrypt("410102199001011234")

    assert "410102199001011234" not in str(refused.value)


@given(key=st.text(min_size=1, max_size=100), purpose=st.text(max_size=20), value=st.text())
def test_the_blind_index_is_hmac_sha256_of_purpose_and_value(key, purpose, value):
    """The index computes HMAC from precomputed pad states; it must equal the standard HMAC,
    or every stored index would stop matching (keys longer than a block are hashed first)."""
    expected = hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    with override_settings(BLIND_INDEX_KEY=key):
        assert crypto.blind_index(value, purpose=purpose) == expected[:32]
