"""Individual enrolment on the phone where the plan allows it: the member pays the rule's worker
share; the employer's and the union's shares are owed as for any batch."""

from __future__ import annotations

import pytest

from gonghui.core.errors import DomainError, Forbidden
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Enrolment
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def lone_member(tree, people, plan):
    member = make_member(tree["a"], 80, name="丙会员")
    member.account = people["member"]
    member.save(update_fields=["account"])
    return member


def test_the_member_sees_the_share_and_enrols(login_as, people, plan, lone_member) -> None:
    plan.allow_individual = True
    plan.save(update_fields=["allow_individual"])
    client = login_as(people["member"])
    assert "个人参保" in client.get("/m/mutual-aid/").content.decode()
    page = client.get("/m/mutual-aid/enrol/").content.decode()
    assert "确认参保，个人缴费 ¥20.00" in page

    response = client.post("/m/mutual-aid/enrol/")

    assert response.status_code == 302
    enrolment = Enrolment.objects.get(member=lone_member)
    assert enrolment.batch.source == "individual" and enrolment.worker_fen == 2000
    payments = {p.payer: (p.due_fen, p.paid_fen) for p in enrolment.batch.payments.all()}
    assert payments == {"employer": (2000, 0), "union": (2000, 0), "worker": (2000, 0)}
    certificate = client.get("/m/mutual-aid/").content.decode()
    assert enrolment.certificate_no in certificate


def test_a_plan_without_individual_enrolment_refuses(people, plan, lone_member) -> None:
    assert services.individual_offer(lone_member) is None
    with pytest.raises(DomainError) as exc:
        services.enrol_self(by=people["member"], member=lone_member, plan=plan)
    assert exc.value.code == "mutualaid.enrol.individual_closed"


def test_one_enrols_only_oneself(people, plan, lone_member) -> None:
    plan.allow_individual = True
    plan.save(update_fields=["allow_individual"])
    with pytest.raises(Forbidden):
        services.enrol_self(by=people["alice"], member=lone_member, plan=plan)


def test_enrolling_twice_is_refused(people, plan, lone_member) -> None:
    plan.allow_individual = True
    plan.save(update_fields=["allow_individual"])
    services.enrol_self(by=people["member"], member=lone_member, plan=plan)
    assert services.individual_offer(lone_member) is None
    with pytest.raises(DomainError) as exc:
        services.enrol_self(by=people["member"], member=lone_member, plan=plan)
    assert exc.value.code == "mutualaid.enrol.nobody"
