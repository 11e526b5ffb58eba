"""转会: the sending union (or an import) asks, the receiving union accepts or rejects; the member
keeps the member number and the history; through the service and the transfers page."""

from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.members import selectors, services
from gonghui.members.models import MemberEvent, MemberStatus, Transfer, TransferStatus
from gonghui.orgs.services import union_close, union_create

pytestmark = pytest.mark.django_db

PAGE = "/w/members/transfers/"


@pytest.fixture
def transfer(people, tree, member_a) -> Transfer:
    return services.transfer_request(
        by=people["alice"], member=member_a, to_union=tree["b"], reason="调往乙厂"
    )


def test_a_request_puts_the_member_in_transferring(transfer, member_a, tree) -> None:
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.TRANSFERRING
    assert member_a.union == tree["a"]
    assert (transfer.status, transfer.from_union, transfer.reason) == (
        "pending",
        tree["a"],
        "调往乙厂",
    )
    event = MemberEvent.objects.get(member=member_a, kind="members.transfer.requested")
    assert event.changes == {"status": ["active", "transferring"], "from": "UA", "to": "UB"}


def test_accepting_moves_the_member_and_keeps_the_number(people, tree, transfer, member_a) -> None:
    number = member_a.member_no
    decided = services.transfer_decide(by=people["bob"], transfer=transfer, accept=True)
    assert (decided.status, decided.decided_by) == (TransferStatus.ACCEPTED, people["bob"])
    assert decided.decided_at is not None
    member_a.refresh_from_db()
    assert (member_a.union, member_a.status, member_a.member_no) == (tree["b"], "active", number)
    kinds = list(MemberEvent.objects.filter(member=member_a).values_list("kind", flat=True))
    assert "members.transfer.accepted" in kinds
    assert "members.member.created" in kinds  # the history came along
    assert AuditEntry.objects.filter(action="members.transfer.accepted", actor=people["bob"])
    # The sending union no longer sees the member; the receiving one does.
    with pytest.raises(DomainError):
        selectors.member_get(actor=people["alice"], member_no=number)
    assert selectors.member_get(actor=people["bob"], member_no=number) == member_a


def test_rejecting_needs_a_note(people, transfer, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.transfer_decide(by=people["bob"], transfer=transfer, accept=False, note=" ")
    assert caught.value.code == "member.reason_required"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_rejecting_leaves_the_member_where_they_were(people, tree, transfer, member_a) -> None:
    services.transfer_decide(by=people["bob"], transfer=transfer, accept=False, note="查无此人")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_note) == (TransferStatus.REJECTED, "查无此人")
    member_a.refresh_from_db()
    assert (member_a.union, member_a.status) == (tree["a"], MemberStatus.ACTIVE)


def test_a_transfer_is_decided_once(people, transfer) -> None:
    services.transfer_decide(by=people["bob"], transfer=transfer, accept=True)
    with pytest.raises(DomainError) as caught:
        services.transfer_decide(by=people["bob"], transfer=transfer, accept=False, note="x")
    assert caught.value.code == "member.transfer_decided"


def test_only_the_receiving_union_decides(people, transfer) -> None:
    with pytest.raises(Forbidden):
        services.transfer_decide(by=people["alice"], transfer=transfer, accept=True)
    with pytest.raises(Forbidden):
        services.transfer_decide(by=people["carol"], transfer=transfer, accept=True)


def test_one_pending_transfer_at_a_time(people, tree, transfer, member_a) -> None:
    with pytest.raises(DomainError) as caught:
        services.transfer_request(by=people["alice"], member=member_a, to_union=tree["county_b"])
    assert caught.value.code == "member.transfer_pending"


def test_a_transferring_member_cannot_leave(people, transfer, member_a) -> None:
    member_a.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.member_leave(by=people["alice"], member=member_a, reason="x")
    assert caught.value.code == "member.transition_invalid"


def test_a_member_who_left_cannot_be_transferred(people, tree, member_a) -> None:
    services.member_leave(by=people["alice"], member=member_a, reason="调离")
    with pytest.raises(DomainError) as caught:
        services.transfer_request(by=people["alice"], member=member_a, to_union=tree["b"])
    assert caught.value.code == "member.transition_invalid"
    assert not Transfer.objects.exists()


def test_an_outsider_cannot_request_a_transfer(people, tree, member_a) -> None:
    with pytest.raises(Forbidden):
        services.transfer_request(by=people["bob"], member=member_a, to_union=tree["county_b"])


def test_a_closed_union_receives_nobody(people, tree, member_a) -> None:
    target = union_create(
        by=None, code="UB2", name="乙区二厂工会", kind="grassroots", parent=tree["county_b"]
    )
    union_close(by=people["sysadmin"], union=target, reason="企业注销")
    target.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.transfer_request(by=people["alice"], member=member_a, to_union=target)
    assert caught.value.code == "member.union_invalid"


def test_a_union_waiting_for_transfers_cannot_be_closed(people, tree, member_b) -> None:
    services.member_leave(by=people["bob"], member=member_b, reason="x")
    services.member_reactivate(by=people["bob"], member=member_b)
    services.transfer_request(by=people["bob"], member=member_b, to_union=tree["a"])
    with pytest.raises(DomainError) as caught:
        union_close(by=people["carol"], union=tree["a"], reason="企业注销")
    assert caught.value.code == "org.has_pending_transfers"


# -- the transfers page --------------------------------------------------------------------


def test_the_page_offers_the_decision_to_the_deciding_side_only(
    login_as, people, transfer, member_a
) -> None:
    accept_url = f"{PAGE}{transfer.public_id}/accept/"
    cancel_url = f"{PAGE}{transfer.public_id}/cancel/"
    receiving = login_as(people["bob"]).get(PAGE).content.decode()
    sending = login_as(people["alice"]).get(PAGE).content.decode()
    assert accept_url in receiving and cancel_url not in receiving
    assert cancel_url in sending and accept_url not in sending


def test_a_union_asking_for_a_member_cannot_accept_its_own_request(people, tree, member_b) -> None:
    asked = services.transfer_request(by=people["alice"], member=member_b, to_union=tree["a"])
    assert asked.requested_by_receiver
    with pytest.raises(Forbidden):
        services.transfer_decide(by=people["alice"], transfer=asked, accept=True)
    services.transfer_decide(by=people["bob"], transfer=asked, accept=True)
    member_b.refresh_from_db()
    assert member_b.union == tree["a"]


def test_the_requesting_side_can_withdraw_a_pending_transfer(people, transfer, member_a) -> None:
    with pytest.raises(Forbidden):
        services.transfer_cancel(by=people["bob"], transfer=transfer)
    services.transfer_cancel(by=people["alice"], transfer=transfer)
    member_a.refresh_from_db()
    transfer.refresh_from_db()
    assert (member_a.status, transfer.status) == ("active", "cancelled")


def test_accept_on_the_page(login_as, people, tree, transfer, member_a) -> None:
    response = login_as(people["bob"]).post(f"{PAGE}{transfer.public_id}/accept/")
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.union == tree["b"]


def test_reject_on_the_page_needs_a_note(login_as, people, tree, transfer, member_a) -> None:
    client = login_as(people["bob"])
    response = client.post(f"{PAGE}{transfer.public_id}/reject/", follow=True)
    assert "拒绝转会时请填写原因" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    client.post(f"{PAGE}{transfer.public_id}/reject/", {"note": "无此人"})
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decision_note) == (TransferStatus.REJECTED, "无此人")


def test_an_unknown_decision_is_not_found(login_as, people, transfer) -> None:
    response = login_as(people["bob"]).post(f"{PAGE}{transfer.public_id}/maybe/", {"note": "x"})
    assert response.status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_the_sending_union_cannot_decide_on_the_page(login_as, people, transfer) -> None:
    response = login_as(people["alice"]).post(f"{PAGE}{transfer.public_id}/accept/")
    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_decisions_are_posts(login_as, people, transfer) -> None:
    assert login_as(people["bob"]).get(f"{PAGE}{transfer.public_id}/accept/").status_code == 405


def test_a_transfer_from_the_detail_page(login_as, people, tree, member_a) -> None:
    client = login_as(people["alice"])
    response = client.post(
        f"/w/members/{member_a.member_no}/transfer/", {"to_union": "ub", "reason": "调动"}
    )
    assert response.status_code == 302
    assert Transfer.objects.get().to_union == tree["b"]
