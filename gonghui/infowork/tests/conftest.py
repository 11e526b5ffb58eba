"""Information work around the shared tree: xena (city 宣教部) edits and verifies, alice and bob
(officers of unions A and B) are their unions' information officers, carol (county A staff)
sees county A only, and a points table has been in force since the start of last year."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.infowork import rules, services
from gonghui.infowork.models import InfoOfficer, PointsTable, Publication, Submission
from gonghui.orgs.models import Union

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n" + b"\0" * 64


@pytest.fixture
def xena(tree: dict[str, Union]) -> User:
    return make_user("xena", assignments=[(tree["city"], "dept_staff", "publicity")])


@pytest.fixture
def table(xena: User) -> PointsTable:
    return services.points_table_create(
        by=xena,
        effective_from=date(timezone.localdate().year - 1, 1, 1),
        publication_points=rules.DEFAULT_PUBLICATION_POINTS,
        instruction_points=rules.DEFAULT_INSTRUCTION_POINTS,
        shortfall_penalty=rules.DEFAULT_SHORTFALL_PENALTY,
        error_penalty=rules.DEFAULT_ERROR_PENALTY,
    )


@pytest.fixture
def officer_a(people: dict[str, User], tree: dict[str, Union], xena: User) -> InfoOfficer:
    return services.officer_appoint(by=xena, user=people["alice"], union=tree["a"])


@pytest.fixture
def officer_b(people: dict[str, User], tree: dict[str, Union], xena: User) -> InfoOfficer:
    return services.officer_appoint(by=xena, user=people["bob"], union=tree["b"])


def submit(officer: InfoOfficer, title: str = "甲厂开展送清凉活动", **extra: Any) -> Submission:
    return services.submission_submit(
        by=officer.user,
        officer=officer,
        title=title,
        body=extra.pop("body", "正文内容"),
        category=extra.pop("category", "news"),
        **extra,
    )


def adopted(officer: InfoOfficer, editor: User, title: str = "甲厂开展送清凉活动") -> Submission:
    return services.submission_transition(
        by=editor, submission=submit(officer, title), to="adopted"
    )


def published(
    submission: Submission,
    editor: User,
    *,
    level: str = "provincial",
    kind: str = "newspaper",
    placement: str = "general",
    on: date | None = None,
    verify: bool = True,
    outlet: str = "河南工人日报",
) -> Publication:
    publication = services.publication_record(
        by=editor,
        submission=submission,
        data=services.PublicationData(
            level=level,
            outlet_kind=kind,
            outlet_name=outlet,
            published_on=on or timezone.localdate() - timedelta(days=1),
            placement=placement,
            link="https://news.example.cn/1.html",
        ),
    )
    if verify:
        publication = services.publication_verify(by=editor, publication=publication, approve=True)
    return publication


def points(value: str) -> Decimal:
    return Decimal(value)
