"""A campaign organised by the test city with funds of ¥10,000, and people on both sides of the
tree: alice (officer of union A), bob (officer of union B), carol (county A staff), dora (city
保障部). Members are made through the registry and their flags set as the hardship and model
worker programs would have set them."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.conftest import make_user
from gonghui.core import idnumbers
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.orgs.models import Union
from gonghui.warmth import services
from gonghui.warmth.models import Campaign

STARTS = date(2026, 12, 1)


@pytest.fixture
def dora(tree: dict[str, Union]) -> User:
    return make_user("dora", assignments=[(tree["city"], "dept_staff", "security")])


def make_member(
    union: Union,
    seed: int,
    *,
    hardship: bool = False,
    model_worker: bool = False,
    status: str = "active",
    birth: date | None = None,
    gender: str | None = None,
    **extra: Any,
) -> Member:
    rng = random.Random(seed)
    birth = birth or date(1980 + seed % 20, 1 + seed % 12, 1 + seed % 28)
    gender = gender or "MF"[seed % 2]
    registrar = User.objects.filter(username="registrar").first() or make_user(
        "registrar", assignments=[(union.parent.parent or union.parent, "county_staff", None)]
    )
    member = member_services.member_create(
        by=registrar,
        union=union,
        data=member_services.MemberData(
            name=extra.pop(
                "name", "会员" + "".join("甲乙丙丁戊己庚辛壬癸"[int(d)] for d in str(seed))
            ),
            id_number=idnumbers.generate(rng, "410102", birth, gender),
            join_date=date(2010, 1, 1),
            **extra,
        ),
    )
    Member.objects.filter(pk=member.pk).update(
        is_hardship=hardship, is_model_worker=model_worker, status=status
    )
    member.refresh_from_db()
    return member


def new_campaign(by: User, city: Union, code: str = "W1", **extra: Any) -> Campaign:
    campaign = services.campaign_create(
        by=by,
        union=city,
        code=code,
        name="测试送温暖",
        starts_on=STARTS,
        ends_on=date(2027, 2, 28),
        **extra,
    )
    services.fund_record(
        by=by,
        campaign=campaign,
        source="federation",
        donor="本级工会经费",
        amount_fen=1_000_000,
        received_on=date(2026, 11, 20),
    )
    return campaign


@pytest.fixture
def campaign(dora: User, tree: dict[str, Union]) -> Campaign:
    return new_campaign(dora, tree["city"])


@pytest.fixture
def running(campaign: Campaign, dora: User, tree: dict[str, Union]) -> Campaign:
    """Active, ¥5,000 to county A and ¥2,000 of it to union A, ¥1,000 to county B."""
    services.allocation_set(by=dora, campaign=campaign, union=tree["county_a"], amount_fen=500_000)
    services.allocation_set(by=dora, campaign=campaign, union=tree["a"], amount_fen=200_000)
    services.allocation_set(by=dora, campaign=campaign, union=tree["county_b"], amount_fen=100_000)
    return services.campaign_transition(by=dora, campaign=campaign, to="active")


@pytest.fixture
def listed(running: Campaign, dora: User, tree: dict[str, Union]) -> dict[str, Member]:
    """A hardship member in A (¥700), a hardship model worker in A (¥1,200), one in B (¥700),
    all on the list."""
    people = {
        "a1": make_member(tree["a"], 1, hardship=True, name="甲一"),
        "a2": make_member(tree["a"], 2, hardship=True, model_worker=True, name="甲二"),
        "b1": make_member(tree["b"], 3, hardship=True, name="乙一"),
    }
    services.targets_build(by=dora, campaign=running, union=tree["city"])
    return people


def account_of(member: Member) -> str:
    return f"6222{member.pk:012d}"


@pytest.fixture
def card_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every member has a co-branded card the bank can pay onto."""
    from gonghui.cards import selectors as card_selectors

    monkeypatch.setattr(card_selectors, "payout_account_of", account_of)


def bank_batch(campaign: Campaign, union: Union, by: User, *targets: Any) -> Any:
    from gonghui.warmth.models import Target

    return services.distribute(
        by=by,
        campaign=campaign,
        union=union,
        target_ids=[t.public_id if isinstance(t, Target) else t for t in targets],
        method="bank",
        distributed_on=date(2026, 12, 20),
    )


def result_file(
    tmp_path: Path, batch: Any, by: User, failed: dict[str, str], **changed: int
) -> Path:
    """The bank's answer to the batch's payout file, as the bank builds it: every line paid
    except the people named in `failed` (name → reason); `changed` (name → fen) alters an
    amount."""
    from gonghui.core.excel import Sheet
    from gonghui.core.money import parse_yuan
    from gonghui.core.payouts import PayoutLine, result_file_bytes

    sent = tmp_path / f"payout-{batch.batch_no}.xlsx"
    sent.write_bytes(services.payout_file(by=by, batch=batch))
    rows = list(Sheet(sent).rows())[1:]
    lines = [
        PayoutLine(
            reference=str(row[1]),
            payee_name=str(row[2]),
            account_no=str(row[3]),
            amount_fen=changed.get(str(row[2]), parse_yuan(str(row[4]))),
            memo=str(row[5]),
        )
        for row in rows
    ]
    path = tmp_path / f"result-{batch.batch_no}.xlsx"
    path.write_bytes(
        result_file_bytes(
            (line, line.payee_name not in failed, failed.get(line.payee_name, "")) for line in lines
        )
    )
    return path
