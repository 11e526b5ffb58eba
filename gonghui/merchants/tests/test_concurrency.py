"""Races only a real database shows: two reviewers approving one application, two approvals
drawing the next code at once, two uploads racing for the last photo slot. PostgreSQL only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from gonghui.conftest import ensure_reference_data, race
from gonghui.core.errors import DomainError
from gonghui.merchants import services
from gonghui.merchants.models import Merchant, MerchantPhoto
from gonghui.merchants.tests.conftest import RATE_TERMS, year_from

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _roles(transactional_db: Any) -> None:
    ensure_reference_data()


def approve(merchant: Merchant, by: Any) -> Any:
    today = timezone.localdate()
    return lambda: services.merchant_approve(
        by=by, merchant=merchant, terms=RATE_TERMS, valid_from=today, valid_to=year_from(today)
    )


def test_two_reviewers_approving_at_once_make_one_merchant(apply, reviewer, people) -> None:
    application = apply()
    results = race(approve(application, reviewer), approve(application, people["carol"]))
    approved = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(approved) == 1, results
    assert [e.code for e in refused] == ["merchant.transition_invalid"]
    assert application.contracts.count() == 1


def test_two_approvals_at_once_draw_different_codes(apply, reviewer) -> None:
    first, second = apply(), apply()
    results = race(approve(first, reviewer), approve(second, reviewer))
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(m.code for m, _ in results) == ["SH00001", "SH00002"]


def test_two_uploads_cannot_make_a_seventh_photo(merchant_a, reviewer) -> None:
    for _ in range(5):
        services.photo_add(
            by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("a.jpg", JPEG)
        )
    results = race(
        *[
            lambda: services.photo_add(
                by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("b.jpg", JPEG)
            )
            for _ in range(2)
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "MerchantPhoto"]
    assert MerchantPhoto.objects.filter(merchant=merchant_a).count() == 6
