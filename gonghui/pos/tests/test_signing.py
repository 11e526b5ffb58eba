"""The signed string and its HMAC, pinned to vectors a terminal vendor can check against (the
same ones the README shows, reproducible with `openssl dgst -sha256 -hmac`)."""

from __future__ import annotations

from gonghui.pos import signing

BODY = b'{"credential":"3101000000001234","amount_fen":12800}'
SECRET = "s3cret-terminal-key"


def test_the_canonical_string_is_five_lines():
    assert signing.canonical(
        "post", "/api/v1/pos/quote", 1795000000, "n0nce-n0nce-n0nce-01", BODY
    ) == (
        b"POST\n/api/v1/pos/quote\n1795000000\nn0nce-n0nce-n0nce-01\n"
        b"3220faaf7704bd907a15833b8af212243fa7eac2fed176de6324e17d94f7ef90"
    )


def test_signature_vector_for_a_quote():
    signature = signing.sign(
        SECRET, "POST", "/api/v1/pos/quote", "1795000000", "n0nce-n0nce-n0nce-01", BODY
    )

    assert signature == "f6cdd2dc922e43bb9542bae37f92e54a5a8c38d25d03c12ca15d71d77d758662"


def test_signature_vector_for_a_list_signs_the_query_string():
    path = "/api/v1/pos/transactions?date=2026-11-27&page=2"

    signature = signing.sign(SECRET, "GET", path, 1795000000, "n0nce-n0nce-n0nce-02", b"")

    assert signature == "6687526cbc5390f30aba9b1ef671f94cf280424970213d3da53f7d13d142e38a"
    other_page = signing.sign(
        SECRET, "GET", path.replace("page=2", "page=3"), 1795000000, "n0nce-n0nce-n0nce-02", b""
    )
    assert other_page != signature


def test_an_empty_body_hashes_as_the_empty_string():
    assert signing.body_digest(b"") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_signed_headers_carry_a_fresh_nonce_each_time():
    first = signing.signed_headers("pk_1", SECRET, "POST", "/p", b"{}", timestamp=1)
    second = signing.signed_headers("pk_1", SECRET, "POST", "/p", b"{}", timestamp=1)

    assert set(first) == set(signing.SIGNED_HEADERS)
    assert first["X-Nonce"] != second["X-Nonce"]
    assert signing.NONCE_RE.fullmatch(first["X-Nonce"])
    assert first["X-Signature"] == signing.sign(SECRET, "POST", "/p", 1, first["X-Nonce"], b"{}")
